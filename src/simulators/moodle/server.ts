import type { DemoUniversity } from '../demo-data/types';
import { startSimServer, type SimRequest, type SimResponse, type SimServer } from '../harness';
import { ACCESS_DEBUGINFO, FUNCTIONS, MoodleException, OUT_OF_SERVICE } from './functions/registry';
import { costOf, Workers, type CostModel } from './cost-model';
import { InvalidParameter, parsePhpForm, validate, type PhpArray } from './params';
import { MoodleStore } from './store';
import { exceptionXml, responseXml } from './xml';

/**
 * A Moodle 5.0 web-service endpoint on loopback: /webservice/rest/server.php and /login/token.php, with
 * Moodle's quirks as recorded in shared/fixtures/moodle (HTTP 200 exceptions, null bodies, XML by default,
 * silent truncation past max_input_vars).
 */

export interface MoodleSimulatorOptions {
  university: DemoUniversity;
  port?: number;
  host?: string;
  token?: string;
  maxInputVars?: number;
  /** The login /login/token.php accepts (user wsgateway). */
  password?: string;
  /** What each call costs, served by a few workers (see cost-model.ts); none by default. */
  costModel?: CostModel | null;
}

/**
 * A simulated network fault, not Moodle behaviour: the next `count` calls of `wsfunction` are applied, then
 * their answer is held for `holdMs` (longer than the gateway's timeout), as when a reply is lost on the way.
 */
interface LostAnswers {
  wsfunction: string;
  count: number;
  holdMs: number;
}

/**
 * A simulated outage burst, not Moodle behaviour: the next `count` calls of `wsfunction` are answered 503 by
 * the front proxy without reaching Moodle (nothing applied), as while PHP workers restart.
 */
interface FailedCalls {
  wsfunction: string;
  count: number;
}

export type MoodleSimulator = SimServer & {
  store: MoodleStore;
  /** Test hook: every web-service call answers this Moodle exception (HTTP 200, as Moodle does) until cleared. */
  forceException(exception: { errorcode: string; message: string } | null): void;
  /** Bench and test hook: per-call costs and a worker limit (null: instant answers, no limit). */
  setCostModel(model: CostModel | null): void;
  loseAnswers(lost: LostAnswers | null): void;
  failCalls(failed: FailedCalls | null): void;
  /** The most web-service calls (of one function, or all) seen in progress at once since the last reset. */
  peakConcurrency(wsfunction?: string): number;
  resetPeakConcurrency(): void;
};

export async function startMoodleSimulator(opts: MoodleSimulatorOptions): Promise<MoodleSimulator> {
  const token = opts.token ?? 'demo-moodle-token';
  const maxInputVars = opts.maxInputVars ?? 5000;
  let store: MoodleStore | undefined = undefined;
  let forced: { errorcode: string; message: string } | null = null;
  let cost = opts.costModel ?? null;
  let lose: LostAnswers | null = null;
  let fail: FailedCalls | null = null;
  const workers = new Workers(() => cost?.workers ?? Number.POSITIVE_INFINITY);
  // Calls in progress and the most seen at once, by function ('' for all of them).
  const inFlight = new Map<string, { now: number; peak: number }>();
  const track = (fn: string, delta: number) => {
    for (const key of ['', fn]) {
      const c = inFlight.get(key) ?? { now: 0, peak: 0 };
      c.now += delta;
      c.peak = Math.max(c.peak, c.now);
      inFlight.set(key, c);
    }
  };
  /** The answer, after the time the cost model says Moodle spends on it, in a worker's slot. */
  const served = async (wsfunction: string, params: PhpArray, answer: () => SimResponse) => {
    const response = await workers.run(async () => {
      track(wsfunction, 1);
      try {
        const r = answer();
        if (cost) await sleep(costOf(cost, wsfunction, params));
        return r;
      } finally {
        track(wsfunction, -1);
      }
    });
    if (lose && lose.count > 0 && lose.wsfunction === wsfunction) {
      lose.count -= 1;
      await sleep(lose.holdMs);
    }
    return response;
  };

  const server = await startSimServer({
    name: 'moodle',
    port: opts.port,
    host: opts.host,
    handle: (req, ctx) => {
      const params = parsePhpForm(formBody(req), maxInputVars);
      if (req.path === '/login/token.php') {
        ctx.count('login/token.php');
        return loginToken(params, opts.password ?? 'demo', token);
      }
      if (req.path !== '/webservice/rest/server.php')
        return { status: 404, contentType: 'text/html', body: '<h1>Not found</h1>' };
      const wsfunction = typeof params.wsfunction === 'string' ? params.wsfunction : '';
      ctx.count(wsfunction || '(none)');
      if (fail && fail.count > 0 && fail.wsfunction === wsfunction) {
        fail.count -= 1;
        return { status: 503, contentType: 'text/html', body: '<h1>503 Service Unavailable</h1>' };
      }
      const json = params.moodlewsrestformat === 'json';
      return served(wsfunction, params, (): SimResponse => {
        try {
          if (params.wstoken !== token)
            throw new MoodleException(
              'core\\exception\\moodle_exception',
              'invalidtoken',
              'Invalid token - token not found',
            );
          if (forced)
            throw new MoodleException(
              'core\\exception\\moodle_exception',
              forced.errorcode,
              forced.message,
            );
          const result = run(wsfunction, params, store!);
          return json
            ? { status: 200, contentType: 'application/json', body: JSON.stringify(result) }
            : xml(responseXml(result, FUNCTIONS[wsfunction]?.xmlUserKeys ?? false));
        } catch (err) {
          if (!(err instanceof MoodleException)) throw err;
          return json
            ? {
                status: 200,
                contentType: 'application/json',
                body: JSON.stringify(exceptionBody(err)),
              }
            : xml(exceptionXml(err));
        }
      });
    },
  });
  store = MoodleStore.fromUniversity(opts.university, server.url);
  return Object.assign(server, {
    store,
    forceException(exception: { errorcode: string; message: string } | null) {
      forced = exception;
    },
    setCostModel(model: CostModel | null) {
      cost = model;
    },
    loseAnswers(lost: LostAnswers | null) {
      lose = lost && { ...lost };
    },
    failCalls(failed: FailedCalls | null) {
      fail = failed && { ...failed };
    },
    peakConcurrency: (wsfunction = '') => inFlight.get(wsfunction)?.peak ?? 0,
    resetPeakConcurrency() {
      for (const c of inFlight.values()) c.peak = c.now;
    },
  });
}

function run(wsfunction: string, params: PhpArray, store: MoodleStore): unknown {
  const fn = FUNCTIONS[wsfunction];
  const inService = fn && (!store.serviceFunctions || store.serviceFunctions.has(wsfunction));
  if (!fn || !inService) {
    if (OUT_OF_SERVICE.has(wsfunction) || fn)
      throw new MoodleException(
        'webservice_access_exception',
        'accessexception',
        'Access control exception',
        ACCESS_DEBUGINFO(wsfunction),
      );
    throw new MoodleException(
      'dml_missing_record_exception',
      'invalidrecord',
      "Can't find data record in database table external_functions.",
      `SELECT * FROM {external_functions} WHERE name = ?\n[array (\n  0 => '${wsfunction}',\n)]`,
    );
  }
  const { wstoken: _t, wsfunction: _f, moodlewsrestformat: _r, ...rest } = params;
  let cleaned: unknown;
  try {
    cleaned = validate(fn.params, rest);
  } catch (e) {
    if (e instanceof InvalidParameter)
      throw new MoodleException(
        'core\\exception\\invalid_parameter_exception',
        'invalidparameter',
        'Invalid parameter value detected',
        e.debuginfo,
      );
    throw e;
  }
  return fn.run(cleaned, store);
}

function exceptionBody(err: MoodleException) {
  // Key order and presence as Moodle sends them: no errorcode for a PHP Error, no debuginfo unless set.
  const body: Record<string, unknown> = { exception: err.exception };
  if (err.errorcode !== undefined) body.errorcode = err.errorcode;
  body.message = err.message;
  if (err.debuginfo !== undefined) body.debuginfo = err.debuginfo;
  return body;
}

function loginToken(params: PhpArray, password: string, token: string): SimResponse {
  const contentType = 'application/json; charset=utf-8';
  if (
    params.username === 'wsgateway' &&
    params.password === password &&
    typeof params.service === 'string'
  ) {
    return { status: 200, contentType, body: JSON.stringify({ token, privatetoken: null }) };
  }
  return {
    status: 200,
    contentType,
    body: JSON.stringify({
      error: 'Invalid login, please try again',
      errorcode: 'invalidlogin',
      stacktrace: null,
      debuginfo: null,
      reproductionlink: null,
    }),
  };
}

/** server.php reads POST bodies and query strings alike. */
function formBody(req: SimRequest): string {
  const query = req.query.toString();
  const body = req.body.toString('utf8');
  return [query, body].filter((s) => s !== '').join('&');
}

function xml(body: string): SimResponse {
  return { status: 200, contentType: 'application/xml; charset=utf-8', body };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
