import type { Logger } from './log';
import { isUpstreamError } from './upstreams/errors';

/**
 * Audit lines, shared by the GraphQL mutations and the CLI so that both read alike: one structured `info`
 * line `{audit: {...}}` with the message `audit <action> <outcome>`. Students go under `nip`/`nips` keys,
 * so that the logger's personal-data filter (LOG_PERSONAL_DATA, personal-data.ts) pseudonymises them (or
 * leaves them out) like every other line.
 */
export function auditLine(
  log: Logger,
  action: string,
  outcome: string,
  fields: Record<string, unknown>,
): void {
  log.info({ audit: { ...fields, outcome } }, `audit ${action} ${outcome}`);
}

/** What an audit line says of a failure: its class as the outcome, its code and message. */
export function failureOf(err: unknown): { outcome: string; fields: Record<string, unknown> } {
  const e = err as Error & { code?: string };
  // An upstream's own diagnostics (Moodle's debuginfo: which parameter, which setting) belong in the log
  // line of the failure, never in the answer.
  const detail = isUpstreamError(err) ? err.detail : undefined;
  return {
    outcome: e.name,
    fields: { code: e.code, message: e.message, ...(detail ? { detail } : {}) },
  };
}
