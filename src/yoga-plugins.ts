import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, getOperationAST, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SecurityConfig } from './config';
import type { ListStore } from './domain/list-cache';
import manifest from '../schema/persisted-operations.json' with { type: 'json' };
import { upstreamBudget } from './graph/budget';
import { persistedIdOf } from './graph/persisted-operations';
import type { Metrics } from './observability/metrics';
import { operationLabel } from './observability/operations';
import { requestScope } from './observability/request-context';

/**
 * The Yoga plugins around every GraphQL request: its limits (graphql-armor's depth, aliases, tokens and cost;
 * CSRF prevention; introspection off in production; the budget of upstream calls), and its metrics.
 */

export function requestLimits(security: SecurityConfig, production: boolean): Plugin[] {
  const { limits } = security;
  // In production a refusal does not say the limit nor what the query measured (no probing for the bound).
  const exposeLimits = !production;
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.depth, ignoreIntrospection: true, flattenFragments: true, exposeLimits },
    maxAliases: { n: limits.aliases, exposeLimits },
    maxTokens: { n: limits.tokens, exposeLimits },
    costLimit: { maxCost: limits.cost, exposeLimits },
    maxDirectives: { n: 20, exposeLimits },
    // Suggestions ("Did you mean …?") map the schema for an attacker; off in production.
    blockFieldSuggestion: { enabled: production },
  });
  const list: Plugin[] = [
    ...persistedOperations(security.persistedOperations),
    armor as unknown as Plugin,
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
  ];
  if (!security.introspection) list.push(useDisableIntrospection());
  if (production) list.push(hideSuggestions(), hideParserDetails());
  list.push(capChunkedBody(security.maxBodyBytes), upstreamBudget(limits.upstreamCalls));
  return list;
}

/**
 * The body cap for a request that has no Content-Length (chunked): one with a length over the cap is refused
 * before Yoga (server.ts), and Node's parser holds any other body to its declared length. This replaces Yoga's
 * own body limit (`maxRequestBodySize: false`), which pipes every body through a TransformStream: measured, that
 * was 40 % of the gateway's CPU on `{ __typename }`.
 */
function capChunkedBody(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser || !request.body || request.headers.get('content-length') !== null) return;
      const parse = requestParser;
      setRequestParser(async (req) => {
        const body = await readAtMost(req, maxBytes);
        return parse(
          new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, body }),
        );
      });
    },
  };
}

/** The body's bytes, or a 413 as soon as they pass `maxBytes` (what is left is not read). */
async function readAtMost(request: Request, maxBytes: number): Promise<Blob> {
  const reader = request.body!.getReader();
  const chunks: BlobPart[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new GraphQLError(`Request body over ${maxBytes} bytes.`, {
        extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } },
      });
    }
    chunks.push(value);
  }
  return new Blob(chunks);
}

/** GraphQL requests by operation name and outcome, with their latency. */
export function observeOperations(metrics: Metrics, known: ReadonlySet<string>): Plugin {
  return {
    onExecute({ args }: { args: ExecutionArgs }) {
      // Known names only: a client naming each request differently would otherwise grow /metrics unbounded.
      const ast = getOperationAST(args.document, args.operationName);
      const operation = operationLabel(known, ast?.name?.value);
      const scope = requestScope.getStore();
      if (scope && ast) {
        scope.operationType = ast.operation;
        scope.operationName = operation;
      }
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          const failed =
            'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          metrics.graphqlRequests.inc({ operation, outcome: failed ? 'error' : 'ok' });
          metrics.graphqlDuration.observe({ operation }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

/**
 * graphql-armor blocks field suggestions; graphql's validation also suggests enum values, arguments, types
 * and variables ("Did you mean …?"), which map the schema just the same: cut from every validation error
 * in production.
 */
function hideSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        // Typed loosely by envelop: validation answers graphql's own errors.
        const errors = result as readonly GraphQLError[];
        if (!errors.some((e) => /Did you mean/.test(e.message))) return;
        setResult(
          errors.map((e) =>
            /Did you mean/.test(e.message)
              ? new GraphQLError(e.message.replace(/\s*Did you mean .*$/s, ''), {
                  nodes: e.nodes,
                  extensions: e.extensions,
                })
              : e,
          ),
        );
      };
    },
  };
}

/**
 * Yoga's JSON body parser puts the parser's own message in `extensions.originalError`, and that message quotes a
 * slice of the body the client sent: in production the error keeps its message, code and HTTP status, not that.
 */
function hideParserDetails(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      // User plugins run after Yoga's own parsers, so the parser Yoga chose for this request is already set.
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (err) {
          if (!(err instanceof GraphQLError) || err.extensions.originalError === undefined)
            throw err;
          // Yoga answers 400 here only because originalError is set (else `spec` makes it 200 for
          // application/json): without it, the status is stated plainly.
          const { originalError: _hidden, http: _spec, ...extensions } = err.extensions;
          throw new GraphQLError(err.message, {
            extensions: { ...extensions, http: { status: 400 } },
          });
        }
      });
    },
  };
}

/**
 * With a shared list cache, an answer waits until the invalidations its writes made have reached Redis: a
 * client reading through another replica right after a mutation's answer then never sees the old list.
 */
export function awaitListInvalidations(lists: ListStore): Plugin {
  return { onResultProcess: () => lists.settled?.() };
}

/**
 * Persisted operations (src/graph/persisted-operations.ts): a request naming a hash runs the document of the
 * gateway's manifest (schema/persisted-operations.json, bundled) or of PERSISTED_OPERATIONS_FILE; with
 * `only`, a request that sends a document of its own is refused before it is parsed. Everything after
 * (limits, budget, scopes, cache) applies to a persisted document as to any other.
 */
function persistedOperations(config: SecurityConfig['persistedOperations']): Plugin[] {
  if (config.mode === 'off') return [];
  const known: Record<string, string> = { ...manifest, ...config.extra };
  const code = (name: string) => ({ code: name, http: { status: 400 } });
  return [
    usePersistedOperations({
      getPersistedOperation: (hash) => known[hash] ?? null,
      allowArbitraryOperations: config.mode === 'allow',
      extractPersistedOperationId: (params) =>
        persistedIdOf(params as Parameters<typeof persistedIdOf>[0]),
      customErrors: {
        persistedQueryOnly: {
          message:
            'Only persisted operations run here (PERSISTED_OPERATIONS=only): send the hash of a document of schema/persisted-operations.json as extensions.persistedQuery.sha256Hash or as documentId, without the query text.',
          extensions: code('PERSISTED_QUERY_ONLY'),
        },
        notFound: {
          message:
            'Unknown persisted operation: the hash is in neither the gateway manifest nor PERSISTED_OPERATIONS_FILE.',
          extensions: code('PERSISTED_QUERY_NOT_FOUND'),
        },
        keyNotFound: {
          message:
            'Only persisted operations run here (PERSISTED_OPERATIONS=only): name one by extensions.persistedQuery.sha256Hash or documentId.',
          extensions: code('PERSISTED_QUERY_ONLY'),
        },
      },
    }),
  ];
}
