import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type IBackoff,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Metrics } from '../observability/metrics';
import { currentClient } from '../observability/request-context';
import { UpstreamError, type UpstreamSystem } from './errors';
import { FairShare, QueueFullError } from './fair-share';

/**
 * What stands between a client and an overworked upstream, built from cockatiel policies and the fair share:
 *
 *   reads:  dedupe identical in-flight reads of a client → retry (jittered backoff, Retry-After honoured) → breaker → fair share → timeout
 *   writes:                                                (retry only if idempotent)                 → breaker → fair share → timeout
 *
 * The fair share (./fair-share.ts) bounds the calls in flight to the pool size, and each client (the request
 * scope's `client`) to its share of it; each attempt takes a slot, so a retry's backoff holds none. Time
 * spent waiting for a slot is not charged to the attempt's timeout, which bounds the upstream's answer.
 *
 * Only outages count (unreachable, timeout, 5xx, a reply that is not what the contract says, the gateway's
 * own credentials refused): a refusal (NOT_FOUND, REJECTED...) is an answer, and retrying or opening the breaker for it would be wrong.
 */
export interface ResilienceOptions {
  timeoutMs: number;
  /** Concurrent requests to this upstream; more wait in a queue of `queue`, past that fail fast. */
  maxConcurrent: number;
  queue: number;
  /** Concurrent requests to this upstream for one client; three quarters of the pool when unset. */
  clientShare?: number;
  /** Attempts after the first, for reads. */
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Consecutive outages that open the breaker, and how long it stays open before a trial call. */
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

export const DEFAULT_RESILIENCE: Omit<ResilienceOptions, 'timeoutMs' | 'maxConcurrent'> = {
  queue: 200,
  retries: 2,
  retryBaseMs: 100,
  retryMaxMs: 2000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 10_000,
};

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface UpstreamPolicy {
  /** Runs a read: retried on outages, deduplicated with an identical read already in flight (same key). */
  read<T>(key: string, run: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Runs a write: never retried unless idempotent by construction (enrol, unenrol). */
  write<T>(run: (signal: AbortSignal) => Promise<T>, opts?: { idempotent?: boolean }): Promise<T>;
  breakerState(): BreakerState;
}

/**
 * Outages open the breaker. UNAUTHORIZED (the gateway's own ScoDoc account or Moodle token refused) counts
 * too: nothing works until someone fixes the credentials, and without the breaker every request would
 * retry the login. It is still not retried (see isRetryable).
 */
function isOutage(err: unknown): boolean {
  return (
    err instanceof UpstreamError &&
    (err.code === 'UNAVAILABLE' ||
      err.code === 'TIMEOUT' ||
      err.code === 'BAD_REPLY' ||
      err.code === 'UNAUTHORIZED')
  );
}

const isRetryable = (err: unknown) =>
  err instanceof UpstreamError && (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT');

export function createUpstreamPolicy(
  system: UpstreamSystem,
  opts: ResilienceOptions,
  metrics?: Metrics,
): UpstreamPolicy {
  const breaker = circuitBreaker(handleWhen(isOutage), {
    halfOpenAfter: opts.breakerHalfOpenAfterMs,
    breaker: new ConsecutiveBreaker(opts.breakerThreshold),
  });
  const shares = new FairShare({
    connections: opts.maxConcurrent,
    // Three quarters: a lone request's widest round trip (a 20-student roster: 17 calls) fits in a pool of
    // 24, and a quarter of the pool always stays for the other clients.
    share: opts.clientShare ?? opts.maxConcurrent - Math.ceil(opts.maxConcurrent / 4),
    queue: opts.queue,
    onQueueChange: (waiting) => metrics?.upstreamQueued.set({ system }, waiting),
  });
  metrics?.upstreamQueued.set({ system }, 0);
  const deadline = timeout(opts.timeoutMs, TimeoutStrategy.Aggressive);
  const retrying = retry(handleWhen(isRetryable), {
    maxAttempts: opts.retries,
    backoff: new RetryAfterBackoff(opts.retryBaseMs, opts.retryMaxMs),
  });
  retrying.onRetry(() => metrics?.upstreamRetries.inc({ system }));
  const stateGauge = {
    [CircuitState.Closed]: 0,
    [CircuitState.HalfOpen]: 1,
    [CircuitState.Open]: 2,
    [CircuitState.Isolated]: 2,
  };
  breaker.onStateChange((state) => metrics?.breakerState.set({ system }, stateGauge[state]));
  metrics?.breakerState.set({ system }, 0);

  /** One attempt: breaker → a slot of this client's fair share → timeout. */
  function attempt<T>(task: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    const client = currentClient();
    return breaker.execute(
      (outer) =>
        shares.run(
          client,
          () => deadline.execute((inner) => task(inner.signal), outer.signal),
          outer.signal,
        ),
      signal,
    );
  }

  const inFlight = new Map<string, Promise<unknown>>();

  async function run<T>(task: (signal: AbortSignal) => Promise<T>, retried: boolean): Promise<T> {
    // Each execution gets its own parent signal: cockatiel's shared default would collect one listener per
    // call in flight (bounded, but noisy under load).
    const signal = new AbortController().signal;
    try {
      return await (retried
        ? retrying.execute((ctx) => attempt(task, ctx.signal), signal)
        : attempt(task, signal));
    } catch (err) {
      if (err instanceof QueueFullError) metrics?.upstreamSaturated.inc({ system });
      throw translate(system, err, opts.timeoutMs);
    }
  }

  return {
    read(key, task) {
      // Shared within a client only: another client's identical read may wait in that client's queue, or be
      // the one dropped when it floods; riding on it would undo the fair share.
      const client = currentClient();
      const scoped = `${client.length}:${client}:${key}`;
      const pending = inFlight.get(scoped);
      if (pending) return pending as never;
      const started = run(task, true).finally(() => inFlight.delete(scoped));
      inFlight.set(scoped, started);
      return started;
    },
    write(task, writeOpts = {}) {
      return run(task, writeOpts.idempotent ?? false);
    },
    breakerState() {
      return breaker.state === CircuitState.Closed
        ? 'closed'
        : breaker.state === CircuitState.HalfOpen
          ? 'half-open'
          : 'open';
    },
  };
}

/** The policies' own refusals, as the UpstreamError every caller already understands. */
function translate(system: UpstreamSystem, err: unknown, timeoutMs: number): unknown {
  const name = system === 'scodoc' ? 'ScoDoc' : 'Moodle';
  if (err instanceof BrokenCircuitError)
    return new UpstreamError({
      system,
      code: 'UNAVAILABLE',
      message: `${name} is failing: calls are paused for a moment (circuit open)`,
    });
  if (err instanceof QueueFullError)
    return new UpstreamError({
      system,
      code: 'UNAVAILABLE',
      message: `${name} is saturated: too many requests waiting`,
    });
  if (err instanceof TaskCancelledError)
    return new UpstreamError({
      system,
      code: 'TIMEOUT',
      message: `${name}: no answer within ${timeoutMs} ms`,
    });
  return err;
}

/** Exponential backoff with jitter, stretched to what the upstream asked for in Retry-After. */
class RetryAfterBackoff implements IBackoff<IRetryBackoffContext<unknown>> {
  private readonly inner: ExponentialBackoff<IRetryBackoffContext<unknown>>;
  constructor(
    base: number,
    max: number,
    private readonly state?: IBackoff<IRetryBackoffContext<unknown>>,
    private readonly wait = 0,
  ) {
    this.inner = new ExponentialBackoff({ initialDelay: base, maxDelay: max });
  }

  get duration(): number {
    return this.wait;
  }

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const next = (this.state ?? this.inner).next(context);
    const error = 'error' in context.result ? context.result.error : undefined;
    const asked = error instanceof UpstreamError ? (error.retryAfterMs ?? 0) : 0;
    return new RetryAfterBackoff(0, 0, next, Math.max(next.duration, asked));
  }
}
