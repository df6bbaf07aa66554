import { GraphQLError } from 'graphql';
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
    default:
      return 'UPSTREAM_ERROR';
  }
}

/**
 * Turns what a resolver threw into what a client may see. Upstream failures keep their safe message and say
 * which system failed; anything unexpected is logged in full and masked as an internal error.
 */
export function maskError(error: unknown, message: string, log: Logger): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (isUpstreamError(original)) {
    const gqlError = error instanceof GraphQLError ? error : undefined;
    log.warn({ err: original }, 'upstream failure');
    return createGraphQLError(original.message, {
      nodes: gqlError?.nodes,
      path: gqlError?.path,
      extensions: { code: upstreamErrorCode(original), upstream: original.system },
    });
  }
  if (error instanceof GraphQLError && !error.originalError) return error;
  log.error({ err: original }, 'unexpected error in a resolver');
  return yogaMaskError(error, message);
}
