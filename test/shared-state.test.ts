import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log';
import { SharedListCache } from '../src/shared-state/list-cache';
import { RedisRateLimitStore } from '../src/shared-state/rate-limit';
import { RedisSharedReads } from '../src/shared-state/reads';
import { connectRedis, type SharedRedis } from '../src/shared-state/redis';
import { createSharedResponseCacheStore } from '../src/shared-state/response-cache';
import { startRedis, type TestRedis } from './support/redis';

/**
 * The shared stores against a real redis-server, each pair standing for two replicas (two connections):
 * what one writes the other reads, invalidation reaches both, and with Redis stopped each falls back to its
 * own memory and logs the outage once.
 */
let server: TestRedis;
const lines: string[] = [];
const log = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  }),
});
let a: SharedRedis;
let b: SharedRedis;

/** Until the connection says `state` (the reconnect backoff is capped at 2 s). */
async function until(redis: SharedRedis, state: 'up' | 'down') {
  for (let i = 0; i < 400 && redis.state() !== state; i += 1) await sleep(25);
  expect(redis.state()).toBe(state);
}

beforeAll(async () => {
  server = await startRedis();
  a = connectRedis(server.url, 'unit', log);
  b = connectRedis(server.url, 'unit', log);
  await Promise.all([a.connected(5000), b.connected(5000)]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await server?.close();
});

/** A fetch that counts its calls and answers `value`. */
function counted<T>(value: T) {
  const fetch = () => {
    fetch.calls += 1;
    return Promise.resolve(structuredClone(value));
  };
  fetch.calls = 0;
  return fetch;
}

describe('shared state in Redis', () => {
  it('rate limit: one fixed window for both replicas, with what is left of it as retryAfterMs', async () => {
    const [ra, rb] = [new RedisRateLimitStore(a), new RedisRateLimitStore(b)];
    const hits = [];
    for (let i = 0; i < 4; i += 1) hits.push(await (i % 2 ? rb : ra).hit('client-1', 3, 60_000));
    expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false]);
    expect(hits[3]!.retryAfterMs).toBeGreaterThan(0);
    expect(hits[3]!.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect((await ra.hit('client-2', 3, 60_000)).allowed).toBe(true);
  });

  it('list cache: filled by one replica, read by the other, invalidated by prefix family for both', async () => {
    const [la, lb] = [new SharedListCache(a, 60_000), new SharedListCache(b, 60_000)];
    const five = counted([{ id: 1, name: 'Ada' }]);
    const six = counted([{ id: 2 }]);
    const depts = counted(['INFO']);
    expect(await la.get('moodle:course-enrolments:5', five)).toEqual([{ id: 1, name: 'Ada' }]);
    await la.get('moodle:course-enrolments:6', six);
    await la.get('scodoc:departments', depts);
    expect(await lb.get('moodle:course-enrolments:5', five)).toEqual([{ id: 1, name: 'Ada' }]);
    expect(five.calls).toBe(1);

    // One key: its siblings stay.
    lb.invalidate('moodle:course-enrolments:5');
    await lb.settled();
    await la.get('moodle:course-enrolments:5', five);
    await la.get('moodle:course-enrolments:6', six);
    expect([five.calls, six.calls]).toEqual([2, 1]);

    // A family: every Moodle list, not ScoDoc's.
    la.invalidate('moodle:');
    await la.settled();
    await lb.get('moodle:course-enrolments:5', five);
    await lb.get('moodle:course-enrolments:6', six);
    await lb.get('scodoc:departments', depts);
    expect([five.calls, six.calls, depts.calls]).toEqual([3, 2, 1]);
  });

  it('list cache: a fetch that began before an invalidation is not served after it', async () => {
    const [la, lb] = [new SharedListCache(a, 60_000), new SharedListCache(b, 60_000)];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const old = la.get('scodoc:dept-students:RT', async () => {
      await gate;
      return ['before the write'];
    });
    await sleep(20); // the MGET of its generations is done
    lb.invalidate('scodoc:dept-students:RT');
    await lb.settled();
    release();
    expect(await old).toEqual(['before the write']);
    const fresh = counted(['after the write']);
    expect(await lb.get('scodoc:dept-students:RT', fresh)).toEqual(['after the write']);
    expect(fresh.calls).toBe(1);
  });

  it('list cache: concurrent misses share one fetch; a failed fetch is not kept', async () => {
    const la = new SharedListCache(a, 60_000);
    const fetch = counted(['x']);
    await Promise.all([la.get('moodle:categories', fetch), la.get('moodle:categories', fetch)]);
    expect(fetch.calls).toBe(1);
    await expect(
      la.get('moodle:all-courses', () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    const retry = counted(['y']);
    expect(await new SharedListCache(b, 60_000).get('moodle:all-courses', retry)).toEqual(['y']);
    expect(retry.calls).toBe(1);
  });

  it('response cache: cached by one replica, served and invalidated (by type or object) by the other', async () => {
    const [ca, cb] = [createSharedResponseCacheStore(a), createSharedResponseCacheStore(b)];
    const answer = { data: { departments: [{ acronym: 'INFO' }] } };
    await ca.set('q1', answer, [{ typename: 'Department' }], 60_000);
    await ca.set('q2', { data: { course: { id: 7 } } }, [{ typename: 'Course', id: 7 }], 60_000);
    await ca.set('q3', { data: { course: { id: 8 } } }, [{ typename: 'Course', id: 8 }], 60_000);
    expect(await cb.get('q1')).toEqual(answer);
    await cb.invalidate([{ typename: 'Department' }]);
    expect(await ca.get('q1')).toBeNull();
    await cb.invalidate([{ typename: 'Course', id: 7 }]);
    expect([await ca.get('q2'), await ca.get('q3')]).toEqual([
      null,
      { data: { course: { id: 8 } } },
    ]);
    await ca.invalidate([{ typename: 'Course' }]);
    expect(await cb.get('q3')).toBeNull();
  });

  it('reads: the same read on two replicas at once runs once; a failure is never shared', async () => {
    const [sa, sb] = [new RedisSharedReads(a), new RedisSharedReads(b)];
    try {
      for (let i = 0; i < 100 && !(sa.ready() && sb.ready()); i += 1) await sleep(10);
      let runs = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const read = async () => {
        runs += 1;
        await gate;
        return { data: [{ id: 1 }], warnings: [] };
      };
      const first = sa.share('GET /departements', read);
      await sleep(20);
      const second = sb.share('GET /departements', read);
      await sleep(20);
      release();
      expect(await Promise.all([first, second])).toEqual([
        { data: [{ id: 1 }], warnings: [] },
        { data: [{ id: 1 }], warnings: [] },
      ]);
      expect(runs).toBe(1);

      let failing!: () => void;
      const failGate = new Promise<void>((resolve) => (failing = resolve));
      const failed = sa.share('GET /etudiants', async () => {
        await failGate;
        throw new Error('ScoDoc down');
      });
      await sleep(20);
      const own = sb.share('GET /etudiants', () => Promise.resolve(['its own answer']));
      await sleep(20);
      failing();
      await expect(failed).rejects.toThrow('ScoDoc down');
      expect(await own).toEqual(['its own answer']);
    } finally {
      sa.close();
      sb.close();
    }
  });

  it('Redis stopped: each store serves from memory, one warning; back: shared again, one info line', async () => {
    const limits = new RedisRateLimitStore(a);
    const la = new SharedListCache(a, 60_000);
    const lb = new SharedListCache(b, 60_000);
    lines.length = 0;
    await server.stop();
    await Promise.all([until(a, 'down'), until(b, 'down')]);
    expect((await limits.hit('during', 1, 60_000)).allowed).toBe(true);
    expect((await limits.hit('during', 1, 60_000)).allowed).toBe(false);
    const fetch = counted(['local']);
    expect(await la.get('scodoc:departments', fetch)).toEqual(['local']);
    expect(await la.get('scodoc:departments', fetch)).toEqual(['local']);
    expect(fetch.calls).toBe(1);
    expect(await new RedisSharedReads(a).share('k', () => Promise.resolve(1))).toBe(1);
    await sleep(300); // reconnect attempts fail meanwhile: still one warning per connection
    expect(lines.filter((l) => l.includes('Redis unreachable'))).toHaveLength(2);

    await server.start();
    await Promise.all([until(a, 'up'), until(b, 'up')]);
    expect(lines.filter((l) => l.includes('Redis back'))).toHaveLength(2);
    const shared = counted(['shared']);
    await la.get('scodoc:departments', shared);
    await lb.get('scodoc:departments', shared);
    expect(shared.calls).toBe(1);
  });
});
