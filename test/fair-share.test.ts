import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { FairShare, QueueFullError } from '../src/upstreams/fair-share';

/**
 * The fair share as bookkeeping: every task is a promise the test settles by hand, so what has started and
 * in what order depends on nothing but the calls made. `settled()` lets the promise reactions run (no timer).
 */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Call {
  name: string;
  result: Promise<string>;
  finish(): void;
  fail(err: Error): void;
}

function harness(opts: { connections: number; share: number; queue: number }) {
  const started: string[] = [];
  const running = new Map<string, Call>();
  const queueSizes: number[] = [];
  const limiter = new FairShare({ ...opts, onQueueChange: (n) => queueSizes.push(n) });
  const outcomes = new Map<string, string>();

  function call(client: string, name: string, signal?: AbortSignal): Call {
    let finish!: () => void;
    let fail!: (err: Error) => void;
    const done = new Promise<string>((resolve, reject) => {
      finish = () => resolve(name);
      fail = reject;
    });
    // The task may start at once, inside run(): the entry exists before.
    const entry = { name, finish: () => finish(), fail: (err: Error) => fail(err) } as Call;
    entry.result = limiter.run(
      client,
      () => {
        started.push(name);
        running.set(name, entry);
        return done.finally(() => running.delete(name));
      },
      signal,
    );
    entry.result.then(
      () => outcomes.set(name, 'ok'),
      (err: Error) => outcomes.set(name, err.name),
    );
    return entry;
  }

  /** Finishes the one call running (connections: 1) and lets the next one start. */
  async function next() {
    expect(running.size).toBe(1);
    for (const c of running.values()) c.finish();
    await settled();
  }

  return { limiter, started, running, queueSizes, outcomes, call, next };
}

describe('fair share', () => {
  it('caps the calls in flight per client and overall', async () => {
    const h = harness({ connections: 4, share: 2, queue: 10 });
    const a = [h.call('a', 'a1'), h.call('a', 'a2'), h.call('a', 'a3')];
    const b = [h.call('b', 'b1'), h.call('b', 'b2'), h.call('b', 'b3')];
    const c = h.call('c', 'c1');
    await settled();
    // Two each for a and b: the pool of 4 is full, c waits although it has nothing running.
    expect(h.started).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(h.limiter.running).toBe(4);
    expect(h.limiter.waiting).toBe(3);

    a[0]!.finish();
    await settled();
    // a is back under its share and was the first to wait: a3 takes the freed slot.
    expect(h.started.slice(4)).toEqual(['a3']);
    b[0]!.finish();
    await settled();
    // b waited before c did.
    expect(h.started.slice(5)).toEqual(['b3']);
    expect(h.limiter.waiting).toBe(1);
    a[1]!.finish();
    await settled();
    expect(h.started.slice(6)).toEqual(['c1']);
    for (const x of [a[2]!, b[1]!, c]) x.finish();
    b[2]!.finish();
    await Promise.all([...a, ...b, c].map((x) => x.result));
    expect(h.limiter.running).toBe(0);
    expect(h.limiter.waiting).toBe(0);
  });

  it('a client at its share waits even with free slots; the others go ahead', async () => {
    const h = harness({ connections: 10, share: 2, queue: 10 });
    for (let i = 1; i <= 5; i += 1) h.call('flood', `f${i}`);
    h.call('other', 'o1');
    await settled();
    expect(h.started).toEqual(['f1', 'f2', 'o1']);
    expect(h.limiter.waiting).toBe(3);
  });

  it('serves waiting clients round-robin: 3,000 calls waiting and 3 waiting alternate', async () => {
    const h = harness({ connections: 1, share: 1, queue: 5000 });
    h.call('big', 'big-0');
    for (let i = 1; i <= 3000; i += 1) h.call('big', `big-${i}`);
    for (let i = 1; i <= 3; i += 1) h.call('small', `small-${i}`);
    await settled();
    expect(h.started).toEqual(['big-0']);
    expect(h.limiter.waiting).toBe(3003);
    for (let i = 0; i < 8; i += 1) await h.next();
    expect(h.started).toEqual([
      'big-0',
      'big-1',
      'small-1',
      'big-2',
      'small-2',
      'big-3',
      'small-3',
      'big-4',
      'big-5',
    ]);
  });

  it('a third client joins the rotation when it arrives', async () => {
    const h = harness({ connections: 1, share: 1, queue: 100 });
    h.call('a', 'a0');
    for (const n of ['a1', 'a2', 'a3']) h.call('a', n);
    for (const n of ['b1', 'b2']) h.call('b', n);
    await settled();
    await h.next(); // a1
    h.call('c', 'c1');
    for (let i = 0; i < 4; i += 1) await h.next();
    expect(h.started).toEqual(['a0', 'a1', 'b1', 'a2', 'c1', 'b2']);
  });

  it('bounds the queue: the flooding client fails fast, a newcomer takes the place of its newest call', async () => {
    const h = harness({ connections: 1, share: 1, queue: 3 });
    const a0 = h.call('a', 'a0');
    const waiting = ['a1', 'a2', 'a3'].map((n) => h.call('a', n));
    const a4 = h.call('a', 'a4');
    // Full, and a has the longest queue: its own call is refused at once, never started.
    await expect(a4.result).rejects.toBeInstanceOf(QueueFullError);
    expect(h.limiter.waiting).toBe(3);

    const b1 = h.call('b', 'b1');
    // b had nothing waiting: a's newest waiting call (a3) gives up its place.
    await expect(waiting[2]!.result).rejects.toBeInstanceOf(QueueFullError);
    expect(h.limiter.waiting).toBe(3);
    const b2 = h.call('b', 'b2');
    // a (2 waiting) is still longer than b (1): a2 goes too.
    await expect(waiting[1]!.result).rejects.toBeInstanceOf(QueueFullError);
    // Now a and b hold the same number of places: b's next call is refused, not a's.
    const b3 = h.call('b', 'b3');
    await expect(b3.result).rejects.toBeInstanceOf(QueueFullError);

    a0.finish();
    await settled();
    await h.next(); // a1 done
    await h.next(); // b1 done
    expect(h.started).toEqual(['a0', 'a1', 'b1', 'b2']);
    await h.next(); // b2 done
    expect(await Promise.all([a0.result, waiting[0]!.result, b1.result, b2.result])).toEqual([
      'a0',
      'a1',
      'b1',
      'b2',
    ]);
    expect(h.outcomes.get('a2')).toBe('QueueFullError');
    expect(h.outcomes.get('a3')).toBe('QueueFullError');
    expect(h.outcomes.get('a4')).toBe('QueueFullError');
    expect(Math.max(...h.queueSizes)).toBe(3);
    expect(h.queueSizes.at(-1)).toBe(0);
  });

  it('with no queue, a call that cannot start fails fast', async () => {
    const h = harness({ connections: 2, share: 2, queue: 0 });
    const [x, y] = [h.call('a', 'x'), h.call('b', 'y')];
    const z = h.call('c', 'z');
    await expect(z.result).rejects.toBeInstanceOf(QueueFullError);
    expect(h.started).toEqual(['x', 'y']);
    x.finish();
    y.finish();
    await Promise.all([x.result, y.result]);
  });

  it('a call whose signal aborts while it waits leaves the queue and never runs', async () => {
    const h = harness({ connections: 1, share: 1, queue: 10 });
    const first = h.call('a', 'first');
    const controller = new AbortController();
    const aborted = h.call('b', 'aborted', controller.signal);
    const last = h.call('c', 'last');
    await settled();
    expect(h.limiter.waiting).toBe(2);

    controller.abort();
    await expect(aborted.result).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.limiter.waiting).toBe(1);
    first.finish();
    await settled();
    expect(h.started).toEqual(['first', 'last']);
    last.finish();
    await last.result;

    // Already aborted: refused before it takes anything.
    const gone = h.call('d', 'gone', AbortSignal.abort());
    await expect(gone.result).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.started).not.toContain('gone');
    expect(h.limiter.running).toBe(0);
  });

  it('frees the slot of a call that fails', async () => {
    const h = harness({ connections: 1, share: 1, queue: 10 });
    const failing = h.call('a', 'failing');
    const after = h.call('a', 'after');
    failing.fail(new Error('boom'));
    await expect(failing.result).rejects.toThrow('boom');
    await settled();
    expect(h.started).toEqual(['failing', 'after']);
    after.finish();
    expect(await after.result).toBe('after');
  });

  it('a waiting call resumes in its own async context, not in the one that freed the slot', async () => {
    const limiter = new FairShare({ connections: 1, share: 1, queue: 10 });
    const scope = new AsyncLocalStorage<string>();
    let release!: () => void;
    const first = scope.run('a', () =>
      limiter.run('a', () => new Promise<void>((resolve) => (release = resolve))),
    );
    const second = scope.run('b', () => limiter.run('b', () => Promise.resolve(scope.getStore())));
    scope.run('a', () => release());
    await first;
    expect(await second).toBe('b');
  });
});
