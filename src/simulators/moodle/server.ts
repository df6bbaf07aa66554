import type { DemoUniversity } from '../demo-data/types';
import { startSimServer, type SimRequest, type SimResponse, type SimServer } from '../harness';
import { ACCESS_DEBUGINFO, FUNCTIONS, MoodleException, OUT_OF_SERVICE } from './functions/registry';
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
}

export type MoodleSimulator = SimServer & {
  store: MoodleStore;
  /** Test hook: every web-service call answers this Moodle exception (HTTP 200, as Moodle does) until cleared. */
  forceException(exception: { errorcode: string; message: string } | null): void;
};

export async function startMoodleSimulator(opts: MoodleSimulatorOptions): Promise<MoodleSimulator> {
  const token = opts.token ?? 'demo-moodle-token';
  const maxInputVars = opts.maxInputVars ?? 5000;
  let store: MoodleStore | undefined = undefined;
  let forced: { errorcode: string; message: string } | null = null;

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
      const json = params.moodlewsrestformat === 'json';
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
    },
  });
  store = MoodleStore.fromUniversity(opts.university, server.url);
  return Object.assign(server, {
    store,
    forceException(exception: { errorcode: string; message: string } | null) {
      forced = exception;
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
