import type { PhpArray } from './params';

/**
 * What a web-service call costs a real Moodle, for benchmarks: a fixed cost per call plus a cost per item
 * of its batch, served by a fixed number of PHP workers (the others wait in the web server's queue). Off
 * unless a benchmark or test sets it.
 */
export interface CostModel {
  /** Per call, whatever the function (request handling, bootstrap, token check). */
  perCallMs: number;
  /** Per item of the call's batch (users, enrolments), by function. */
  perItemMs: Record<string, number>;
  /** Requests served at once; the rest queue. */
  workers: number;
}

/**
 * Measured by issue 15 against a real Moodle 5.0.6 site with 4 PHP workers and a 4,093-student semester:
 * create_users took 15.7 s and enrol_manual_enrol_users 8.9 s per 1,000 items, with ~20 ms per call.
 */
export const MOODLE_5_0_6_MEASURED: CostModel = {
  perCallMs: 20,
  perItemMs: { core_user_create_users: 16, enrol_manual_enrol_users: 9 },
  workers: 4,
};

/** The batch a call carries: the length of its first list parameter (users, enrolments, userids...). */
function itemsOf(params: PhpArray): number {
  for (const key of ['users', 'enrolments', 'userids', 'values']) {
    const value = params[key];
    if (value && typeof value === 'object') return Object.keys(value).length;
  }
  return 1;
}

export function costOf(model: CostModel, wsfunction: string, params: PhpArray): number {
  return model.perCallMs + (model.perItemMs[wsfunction] ?? 0) * itemsOf(params);
}

/** The PHP workers: at most `size` holders, the rest wait in arrival order. Counts the peak it saw. */
export class Workers {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];
  peak = 0;

  constructor(private readonly size: () => number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy += 1;
    this.peak = Math.max(this.peak, this.busy);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy -= 1;
    }
  }
}
