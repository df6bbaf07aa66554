import type { MoodleClient } from '../upstreams/moodle/client';
import type { ScodocClient } from '../upstreams/scodoc/client';
import { checkMoodle, type MoodleCheck } from './moodle-check';
import { checkScodoc, type ScodocCheck } from './scodoc-check';

/**
 * Readiness: 503 while an upstream cannot be reached or its breaker is open, with a body saying which, plus
 * the last self-check of each (releases, missing functions or routes, silent capability problems). The
 * reachability probe is the cheapest read each upstream has, cached for two seconds so a busy probe cannot
 * load them; the self-check costs a few dozen calls and is redone at most every five minutes.
 */
export interface ReadyState {
  ready: boolean;
  /** Set while the gateway serves with less than it should (Redis down): still ready, and why not whole. */
  degraded?: string;
  /** The state shared by the replicas (REDIS_URL), when configured. */
  sharedState?: SharedStateReport;
  upstreams: {
    scodoc: Probe & Partial<Omit<ScodocCheck, 'reachable' | 'error'>>;
    moodle: Probe & Partial<Omit<MoodleCheck, 'reachable' | 'error'>>;
  };
}

/**
 * Redis, when REDIS_URL is set. Its outage does not make the gateway unready: each replica falls back to its
 * own memory (limits and caches per process), which serves; /ready says so in `degraded`.
 */
export interface SharedStateReport {
  store: 'redis';
  ok: boolean;
  error?: string;
}

interface Probe {
  ok: boolean;
  breaker: string;
  error?: string;
}

export interface SelfCheck {
  scodoc: ScodocCheck;
  moodle: MoodleCheck;
}

const PROBE_TTL_MS = 2_000;
const CHECK_TTL_MS = 5 * 60_000;

export function readiness(
  scodoc: ScodocClient,
  moodle: MoodleClient,
  opts: {
    scodocScope?: string;
    now?: () => number;
    /** Read on every /ready (no I/O): the connection's own state. */
    sharedState?: () => SharedStateReport;
  } = {},
) {
  const now = opts.now ?? Date.now;
  let probed: { at: number; value: Promise<ReadyState> } | null = null;
  let checked: { at: number; value: Promise<SelfCheck> } | null = null;

  const selfCheck = (): Promise<SelfCheck> => {
    if (!checked || now() - checked.at > CHECK_TTL_MS) {
      const value = Promise.all([checkScodoc(scodoc, opts.scodocScope), checkMoodle(moodle)]).then(
        ([s, m]) => ({ scodoc: s, moodle: m }),
      );
      checked = { at: now(), value };
      // A check that met an outage is not kept: the next /ready tries again.
      void value.then((c) => {
        if (!c.scodoc.reachable || !c.moodle.reachable) checked = null;
      });
    }
    return checked.value;
  };

  // The probe always goes through the upstream's policy, breaker included: while the breaker is open and
  // its half-open delay has not passed, the policy fails fast without calling the upstream; once it has,
  // this probe is the half-open trial, and its success closes the breaker. Skipping the call while open
  // would leave /ready at 503 forever with no other traffic (the breaker only half-opens on a call).
  const probe = async (breaker: () => string, read: () => Promise<unknown>): Promise<Probe> => {
    try {
      await read();
      return { ok: true, breaker: breaker() };
    } catch (err) {
      return { ok: false, breaker: breaker(), error: (err as Error).message };
    }
  };

  const compute = async (): Promise<ReadyState> => {
    const [s, m] = await Promise.all([
      probe(
        () => scodoc.breakerState(),
        () => scodoc.departements(),
      ),
      probe(
        () => moodle.breakerState(),
        () => moodle.getSiteInfo(),
      ),
    ]);
    const report = s.ok && m.ok ? await selfCheck() : null;
    return {
      ready: s.ok && m.ok,
      upstreams: {
        scodoc: { ...s, ...withoutReachability(report?.scodoc) },
        moodle: { ...m, ...withoutReachability(report?.moodle) },
      },
    };
  };

  return {
    /** The body of /ready (the upstream probes cached two seconds, the shared state read each time). */
    async ready(): Promise<ReadyState> {
      if (!probed || now() - probed.at > PROBE_TTL_MS) probed = { at: now(), value: compute() };
      const state = await probed.value;
      const shared = opts.sharedState?.();
      if (!shared) return state;
      const degraded = shared.ok
        ? undefined
        : 'Redis unreachable: rate limits, caches and read deduplication are per process until it is back';
      return { ...state, ...(degraded ? { degraded } : {}), sharedState: shared };
    },
    selfCheck,
  };
}

function withoutReachability<T extends { reachable: boolean; error?: string }>(
  check: T | undefined,
): Omit<T, 'reachable' | 'error'> | object {
  if (!check) return {};
  const { reachable: _reachable, error: _error, ...rest } = check;
  return rest;
}
