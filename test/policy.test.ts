import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/observability/metrics';
import { requestScope } from '../src/observability/request-context';
import { UpstreamError, retryAfterMs } from '../src/upstreams/errors';
import { DEFAULT_RESILIENCE, createUpstreamPolicy } from '../src/upstreams/resilience';

const outage = (retryAfter?: number) =>
  new UpstreamError({
    system: 'moodle',
    code: 'UNAVAILABLE',
    status: 503,
    message: 'Moodle x: unavailable',
    retryAfterMs: retryAfter,
  });
const policy = (over = {}, metrics?: Metrics) =>
  createUpstreamPolicy(
    'moodle',
    {
      ...DEFAULT_RESILIENCE,
      timeoutMs: 1000,
      maxConcurrent: 2,
      retryBaseMs: 1,
      retryMaxMs: 5,
      ...over,
    },
    metrics,
  );
/** Runs `fn` as if serving a request of `client`. */
const as = <T>(client: string, fn: () => T): T =>
  requestScope.run({ requestId: `req-${client}`, client }, fn);

describe('upstream policy', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('retries a read after the delay the upstream asked for', async () => {
    let attempts = 0;
    const started = Date.now();
    const result = await policy().read('k', () => {
      attempts += 1;
      return attempts === 1 ? Promise.reject(outage(250)) : Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(attempts).toBe(2);
    // Timers never fire early: a lower bound is safe on a busy machine.
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('never retries a write, retries an idempotent one, and never retries a refusal', async () => {
    const p = policy();
    let writes = 0;
    await expect(p.write(async () => ((writes += 1), Promise.reject(outage())))).rejects.toThrow(
      'unavailable',
    );
    expect(writes).toBe(1);
    let enrols = 0;
    await expect(
      p.write(async () => ((enrols += 1), Promise.reject(outage())), { idempotent: true }),
    ).rejects.toThrow();
    expect(enrols).toBe(3);
    let reads = 0;
    const refusal = new UpstreamError({
      system: 'moodle',
      code: 'REJECTED',
      message: 'Moodle x: refused',
    });
    await expect(p.read('r', async () => ((reads += 1), Promise.reject(refusal)))).rejects.toBe(
      refusal,
    );
    expect(reads).toBe(1);
  });

  it('shares one call between identical reads in flight, and bounds concurrency', async () => {
    const p = policy({ queue: 0, clientShare: 2 });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const task = async () => {
      calls += 1;
      await gate;
      return calls;
    };
    const same = [p.read('same', task), p.read('same', task)];
    const others = [p.read('a', task), p.read('b', task)];
    // Pool of 2 and no queue: the 3rd distinct read in flight is refused at once.
    await expect(others[1]).rejects.toThrow(/saturated/);
    release();
    expect(await Promise.all([...same, others[0]])).toHaveLength(3);
    expect(calls).toBe(2);
  });

  it("bounds each client to its share, and never shares a read with another client's", async () => {
    const metrics = new Metrics();
    // Pool of 2, so a share of 1 by default; no queue, so a call that cannot start is refused at once.
    const p = policy({ queue: 0, breakerThreshold: 1 }, metrics);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const task = async () => {
      calls += 1;
      await gate;
      return calls;
    };
    const first = as('key:flood', () => p.read('same', task));
    // The flooding client's second read: over its share, refused fast; not retried, not an outage.
    await expect(as('key:flood', () => p.read('other', task))).rejects.toThrow(
      'Moodle is saturated: too many requests waiting',
    );
    expect(calls).toBe(1);
    expect(p.breakerState()).toBe('closed');
    // Another client's identical read has its own call, in its own share.
    const second = as('key:quiet', () => p.read('same', task));
    expect(calls).toBe(2);
    release();
    expect(await Promise.all([first, second])).toHaveLength(2);
    const text = await metrics.registry.metrics();
    expect(text).toContain('campusgraph_upstream_saturated_total{system="moodle"} 1');
    expect(text).toContain('campusgraph_upstream_queued_calls{system="moodle"} 0');
  });

  it('calls made outside a request share one internal client', async () => {
    const p = policy({ queue: 0 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = p.read('a', () => gate);
    await expect(p.read('b', () => Promise.resolve())).rejects.toThrow(/saturated/);
    release();
    await running;
  });
});
