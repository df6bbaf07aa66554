import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IBackoff,
  type IPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Metrics } from '../observability/metrics';
import { UpstreamError, type UpstreamSystem } from './errors';

/**
 * What stands between a client and an overworked upstream, built from cockatiel policies:
 *
 *   reads:  dedupe identical in-flight reads → retry (jittered backoff, Retry-After honoured) → breaker → bulkhead → timeout
 *   writes:                                     (retry only if idempotent)                 → breaker → bulkhead → timeout
 *
 * Only outages count (unreachable, timeout, 5xx, a reply that is not what the contract says): a refusal
 * (NOT_FOUND, REJECTED...) is an answer, and retrying or opening the breaker for it would be wrong.
 */
export interface ResilienceOptions {
  timeoutMs: number;
  /** Concurrent requests to this upstream; more wait in a queue of `queue`, past that fail fast. */
  maxConcurrent: number;
  queue: number;
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

function isOutage(err: unknown): boolean {
  return (
    err instanceof UpstreamError &&
    (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT' || err.code === 'BAD_REPLY')
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
  const limit = bulkhead(opts.maxConcurrent, opts.queue);
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

  const guarded = wrap(breaker, limit, deadline);
  const readPolicy = wrap(retrying, guarded);
  const inFlight = new Map<string, Promise<unknown>>();

  async function run<T>(policy: IPolicy, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      // Each execution gets its own parent signal: cockatiel's shared default would collect one listener per
      // call in flight (bounded, but noisy under load).
      return await policy.execute(({ signal }) => task(signal), new AbortController().signal);
    } catch (err) {
      throw translate(system, err, opts.timeoutMs);
    }
  }

  return {
    read(key, task) {
      const pending = inFlight.get(key);
      if (pending) return pending as never;
      const started = run(readPolicy, task).finally(() => inFlight.delete(key));
      inFlight.set(key, started);
      return started;
    },
    write(task, writeOpts = {}) {
      return run(writeOpts.idempotent ? readPolicy : guarded, task);
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
  if (err instanceof BulkheadRejectedError)
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
