import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
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
  type TimeoutPolicy,
} from 'cockatiel';
import type { Metrics } from '../observability/metrics';
import { currentClient } from '../observability/request-context';
import { UpstreamError, type UpstreamSystem } from './errors';
import { FairShare, QueueFullError } from './fair-share';
import type { SharedReads } from './shared-reads';

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
 * A timed-out write is an outage too, but it is retried only when idempotent: it may have been applied.
 *
 * While the breaker is open, calls fail fast, unless made inside `patiently` (below): those wait for the
 * half-open trial.
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

export interface CallOptions {
  /** This call's timeout, when the upstream is known to be slower for it (Moodle's whole-course reads). */
  timeoutMs?: number;
  /** Names the call (a Moodle function) in the message of its timeout. */
  label?: string;
}

export interface UpstreamPolicy {
  /** Runs a read: retried on outages, deduplicated with an identical read already in flight (same key). */
  read<T>(key: string, run: (signal: AbortSignal) => Promise<T>, opts?: CallOptions): Promise<T>;
  /** Runs a write: never retried unless idempotent by construction (enrol, unenrol). */
  write<T>(
    run: (signal: AbortSignal) => Promise<T>,
    opts?: CallOptions & { idempotent?: boolean },
  ): Promise<T>;
  breakerState(): BreakerState;
}

const patience = new AsyncLocalStorage<{ maxWaitMs: number | undefined }>();

/**
 * Runs `fn` with calls that wait for an open breaker instead of failing fast: for long jobs (a sync apply),
 * where failing the rest of a run in milliseconds because five calls failed a moment ago loses more than
 * waiting does. Such a call, meeting an open breaker, waits until the half-open delay has passed, then
 * tries (as the half-open trial, or queued behind it); it fails only if the upstream is still down, or once
 * it has waited `maxWaitMs` (default: twice the breaker's half-open delay, room for one failed trial and
 * the next). Interactive requests stay impatient: they answer at once with what they have.
 */
export function patiently<T>(fn: () => Promise<T>, maxWaitMs?: number): Promise<T> {
  return patience.run({ maxWaitMs }, fn);
}

/** How long one call may still wait for the breaker; `until` is set when it first finds it open. */
interface Patience {
  maxWaitMs: number;
  until?: number;
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
  /** Identical reads in flight on other replicas (Redis), joined rather than sent again; none = per process. */
  sharedReads?: SharedReads,
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
  const deadlines = new Map<number, TimeoutPolicy>();
  const deadlineOf = (ms: number) => {
    let policy = deadlines.get(ms);
    if (!policy) deadlines.set(ms, (policy = timeout(ms, TimeoutStrategy.Aggressive)));
    return policy;
  };
  // When the breaker last opened, to sleep patient calls until the half-open trial may start.
  let openedAt = 0;
  breaker.onBreak(() => (openedAt = Date.now()));
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

  /** One attempt under `ms`: the timeout, as an UpstreamError the breaker and the retry both recognise. */
  async function timed<T>(
    task: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
    ms: number,
    label: string | undefined,
  ): Promise<T> {
    try {
      return await deadlineOf(ms).execute((inner) => task(inner.signal), signal);
    } catch (err) {
      // cockatiel's timeout rejects with TaskCancelledError, which neither isOutage nor isRetryable knew:
      // timeouts were never retried nor held against the breaker. Translated here, inside the breaker and
      // inside each retry attempt, they are. A cancelled parent is not a timeout, and is left as it is.
      if (err instanceof TaskCancelledError && !signal.aborted) throw timedOut(system, ms, label);
      throw err;
    }
  }

  /** One attempt: breaker → a slot of this client's fair share → timeout; a patient one waits out the breaker. */
  async function attempt<T>(
    task: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
    call: Required<Pick<CallOptions, 'timeoutMs'>> & CallOptions,
    patient: Patience | undefined,
  ): Promise<T> {
    const client = currentClient();
    for (;;) {
      try {
        return await breaker.execute(
          (outer) =>
            shares.run(
              client,
              () => timed(task, outer.signal, call.timeoutMs, call.label),
              outer.signal,
            ),
          signal,
        );
      } catch (err) {
        if (!(err instanceof BrokenCircuitError) || !patient) throw err;
        const now = Date.now();
        patient.until ??= now + patient.maxWaitMs;
        if (now >= patient.until) throw err;
        // cockatiel lets the trial through once the delay has passed; a call arriving while the trial is in
        // flight queues behind it (and, if it failed, finds the breaker open again and waits once more).
        const due = openedAt + opts.breakerHalfOpenAfterMs - now;
        await sleep(Math.min(Math.max(due, 1), patient.until - now));
      }
    }
  }

  const inFlight = new Map<string, Promise<unknown>>();

  async function run<T>(
    task: (signal: AbortSignal) => Promise<T>,
    retried: boolean,
    callOpts: CallOptions,
  ): Promise<T> {
    // Each execution gets its own parent signal: cockatiel's shared default would collect one listener per
    // call in flight (bounded, but noisy under load).
    const signal = new AbortController().signal;
    const call = { ...callOpts, timeoutMs: callOpts.timeoutMs ?? opts.timeoutMs };
    const scope = patience.getStore();
    // One budget of patience for the whole call, its retries included.
    const patient = scope && {
      maxWaitMs: scope.maxWaitMs ?? 2 * opts.breakerHalfOpenAfterMs,
    };
    try {
      return await (retried
        ? retrying.execute((ctx) => attempt(task, ctx.signal, call, patient), signal)
        : attempt(task, signal, call, patient));
    } catch (err) {
      if (err instanceof QueueFullError) metrics?.upstreamSaturated.inc({ system });
      throw translate(system, err, call.timeoutMs);
    }
  }

  return {
    read(key, task, readOpts = {}) {
      // Shared within a client only: another client's identical read may wait in that client's queue, or be
      // the one dropped when it floods; riding on it would undo the fair share. A patient read does not ride
      // on an impatient one either: it would fail fast with it.
      const client = currentClient();
      const scoped = `${patience.getStore() ? 'p' : ''}${client.length}:${client}:${key}`;
      const pending = inFlight.get(scoped);
      if (pending) return pending as never;
      // Across replicas under the same scoped key: the same client's identical read on another replica.
      const execute = () => run(task, true, readOpts);
      const started = (sharedReads ? sharedReads.share(scoped, execute) : execute()).finally(() =>
        inFlight.delete(scoped),
      );
      inFlight.set(scoped, started);
      return started;
    },
    write(task, { idempotent = false, ...writeOpts } = {}) {
      // A write that timed out may have been applied: retried only when applying it twice is harmless.
      return run(task, idempotent, writeOpts);
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

const nameOf = (system: UpstreamSystem) => (system === 'scodoc' ? 'ScoDoc' : 'Moodle');

function timedOut(system: UpstreamSystem, timeoutMs: number, label?: string): UpstreamError {
  return new UpstreamError({
    system,
    code: 'TIMEOUT',
    message: `${nameOf(system)}${label ? ` ${label}` : ''}: no answer within ${timeoutMs} ms`,
  });
}

/** The policies' own refusals, as the UpstreamError every caller already understands. */
function translate(system: UpstreamSystem, err: unknown, timeoutMs: number): unknown {
  const name = nameOf(system);
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
  // Left over only when a timeout escaped `timed` (a cancelled parent): still the caller's TIMEOUT.
  if (err instanceof TaskCancelledError) return timedOut(system, timeoutMs);
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
