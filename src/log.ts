import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { currentRequestId } from './observability/request-context';
import { personalDataFilter, type PersonalDataPolicy } from './personal-data';

export type { Logger };

/**
 * Structured logs with secrets removed twice: by key (pino redaction of anything named like a credential,
 * wherever it sits) and by value (each configured secret is scrubbed from the final serialized line),
 * because a secret can hide in a free-text message or an error stack as easily as in a field.
 */
const SECRET_KEYS = [
  'password',
  'passwd',
  'token',
  'wstoken',
  'secret',
  'authorization',
  'apiKey',
  'key',
  'debuginfo',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) paths.push(key, `*.${key}`, `*.*.${key}`);
  paths.push('req.headers.authorization', 'req.headers.cookie');
  return paths;
}

export interface LoggerOptions {
  level?: string;
  /** json (default): one object per line; pretty: pino-pretty, for a developer's terminal. */
  format?: 'json' | 'pretty';
  /** Values that must never appear in any log line (tokens, passwords, API keys). */
  secrets?: Array<string | undefined>;
  /** Where lines go; stdout by default. Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
  /** Students' personal data in lines (LOG_PERSONAL_DATA): pseudonymous by default, see personal-data.ts. */
  personalData?: PersonalDataPolicy;
  /** HMAC key of the pseudonyms (LOG_PSEUDONYM_KEY); a random one per process when unset. */
  pseudonymKey?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = (opts.secrets ?? []).filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
  const target = prettyIf(opts.format === 'pretty', opts.destination ?? process.stdout);
  const personal = personalDataFilter(opts.personalData ?? 'pseudonymous', opts.pseudonymKey);
  // A plain object with a synchronous write(): lines are handed over at once, so nothing is lost on a crash.
  const scrubbing = {
    write(line: string) {
      for (const secret of secrets) line = line.split(secret).join('[REDACTED]');
      target.write(line);
    },
  };
  return pino(
    {
      level: opts.level ?? 'info',
      // Every line written while serving a request carries its id (also sent upstream as x-request-id).
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      redact: { paths: redactPaths(), censor: '[REDACTED]' },
      // NIPs, INEs, names, e-mails and birth dates (audit inputs, error lines) as LOG_PERSONAL_DATA allows.
      formatters: { log: (object) => personal.apply(object) as Record<string, unknown> },
      serializers: {
        // UpstreamError keeps its diagnostic `detail` (zod issues, Moodle debuginfo) non-enumerable so it never
        // reaches a client; logs are exactly where it belongs.
        err: (err: Error & { detail?: unknown }) => ({
          ...pino.stdSerializers.err(err),
          detail: err.detail,
        }),
      },
    },
    scrubbing,
  );
}

/**
 * pino-pretty as a synchronous stream in front of the destination (after the scrubbing, so a pretty line is
 * as clean as a JSON one). Loaded only when asked for: production, which logs JSON, never loads it.
 */
function prettyIf(pretty: boolean, destination: NodeJS.WritableStream): NodeJS.WritableStream {
  if (!pretty) return destination;
  const load = createRequire(import.meta.url);
  const prettyStream = load('pino-pretty') as typeof import('pino-pretty');
  return prettyStream({
    sync: true,
    destination,
    colorize: 'isTTY' in destination && destination.isTTY === true,
    ignore: 'pid,hostname',
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
  });
}
