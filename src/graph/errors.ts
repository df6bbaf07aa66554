import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from '../log';
import { isUpstreamError, type UpstreamError } from '../upstreams/errors';

/** GraphQL `extensions.code` for each upstream failure. */
export function upstreamErrorCode(err: UpstreamError): string {
  switch (err.code) {
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'UNAVAILABLE':
    case 'TIMEOUT':
      return 'UPSTREAM_UNAVAILABLE';
    case 'BUDGET':
      return 'UPSTREAM_BUDGET_EXCEEDED';
    default:
      return 'UPSTREAM_ERROR';
  }
}

interface GraphQLErrorLike extends Error {
  originalError?: unknown;
  path?: ReadonlyArray<string | number>;
  nodes?: unknown;
  extensions?: Record<string, unknown>;
}

// Structural, not instanceof: Yoga and our code may load graphql's CJS and ESM builds, two GraphQLError classes.
function isGraphQLError(e: unknown): e is GraphQLErrorLike {
  return e instanceof Error && e.name === 'GraphQLError';
}

/** Upstream failures already logged: a WeakSet, so it holds nothing once the request's errors are gone. */
const logged = new WeakSet<UpstreamError>();

/**
 * Turns what a resolver threw into what a client may see. Upstream failures keep their safe message and say
 * which system failed; errors we raised on purpose (bad input) pass as they are; anything unexpected is
 * logged in full and masked.
 *
 * Each located error is logged here, once, as a structured line (its path, never the query text, which can
 * hold NIPs or names): Yoga's own line for an error it masked is dropped (`yogaErrorLogged`).
 */
export function maskError(error: unknown, message: string, log: Logger): Error {
  const located = isGraphQLError(error) ? error : undefined;
  const original = located?.originalError ?? error;
  const where = { nodes: located?.nodes as never, path: located?.path };
  if (isUpstreamError(original)) {
    // One failed call can null many fields (every département's category): one line for the failure, not one
    // per field, and no stack (an outage is an event, not a bug). The upstream's own diagnostics (Moodle
    // debuginfo, zod issues) go to this line only.
    if (!logged.has(original)) {
      logged.add(original);
      log.warn(
        {
          upstream: original.system,
          code: original.code,
          detail: original.detail,
          path: located?.path,
        },
        `upstream failure: ${original.message}`,
      );
    }
    return createGraphQLError(original.message, {
      ...where,
      extensions: { code: upstreamErrorCode(original), upstream: original.system },
    });
  }
  if (isGraphQLError(original) && original.extensions?.code) {
    log.info({ code: original.extensions.code, path: located?.path }, original.message);
    return createGraphQLError(original.message, { ...where, extensions: original.extensions });
  }
  if (located && !located.originalError) return located;
  log.error({ err: original, path: located?.path }, 'unexpected error in a resolver');
  return yogaMaskError(error, message);
}

/**
 * Whether a line Yoga logs is already logged by `maskError`: Yoga logs every error it masked, as its text,
 * which prints the query (and whatever NIP or name it holds) and repeats the line `maskError` wrote.
 */
export function yogaErrorLogged(args: readonly unknown[]): boolean {
  return args.length > 0 && args.every(isGraphQLError);
}
