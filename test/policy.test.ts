import { describe, expect, it } from 'vitest';
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
const policy = (over = {}) =>
  createUpstreamPolicy('moodle', {
    ...DEFAULT_RESILIENCE,
    timeoutMs: 1000,
    maxConcurrent: 2,
    retryBaseMs: 1,
    retryMaxMs: 5,
    ...over,
  });

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
    const p = policy({ queue: 0 });
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
});
