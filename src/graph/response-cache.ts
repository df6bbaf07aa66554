import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import {
  createInMemoryCache,
  useResponseCache,
  type Cache,
} from '@graphql-yoga/plugin-response-cache';
import {
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  OperationTypeNode,
  type ExecutionArgs,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { NOBODY, type Caller } from '../auth/scopes';
import type { Logger } from '../log';
import type { Metrics } from '../observability/metrics';

/**
 * The response cache: whole answers to queries, kept `ttlMs`, keyed by document, variables and the
 * caller's scopes (Yoga's response-cache plugin over an in-memory LRU).
 *
 * - Key: two callers share an entry only when they hold exactly the same scopes. Scope checks run per
 *   field, so the same query answers differently to `read` and `read:personal`: keyed by scopes, an answer
 *   holding e-mails is only ever served to callers who may read them.
 * - Never cached: mutations (the plugin sends them down its invalidation path, never `set`), answers with
 *   any error (a refused personal field is a FORBIDDEN error, an upstream failure an UPSTREAM_* one), and
 *   introspection (`__schema`, `__type`: TTL 0).
 * - Invalidation: every write through `perform` drops the answers holding a type it can change
 *   (`MUTATION_CHANGES`), before the mutation answers. The plugin tags each cached answer with the
 *   `__typename` of every object in it and with the declared type of every null or empty field; `targets`
 *   widens each type to the interfaces it implements and the connections and edges that list it, because
 *   an empty connection (a search that found no course yet) carries no object of the item type, and a null
 *   `node(id:)` is tagged `Node`. Per type rather than the whole cache, so that enrolling students leaves
 *   the départements list cached. The plugin's own mutation handling stays on: it is what sends mutations
 *   past the cache, and it also drops answers holding the objects a mutation's answer returns (and, loosely,
 *   answers sharing a type with any null field of it, `String` included); that depends on what the client
 *   selected, so nothing relies on it (the tests write with near-empty selections). A read that started
 *   before a write and ends after it may still store its older answer: the TTL bounds that.
 */

/**
 * Where answers are kept: the plugin's `Cache` (get, set with entities and TTL, invalidate by type or
 * entity). In memory, one per gateway process; a shared store (Redis, for several instances) implements the
 * same interface and is passed as `store`.
 */
export type ResponseCacheStore = Cache;

/** What `perform` needs: drop the cached answers holding any of these graph types. */
export interface ResponseCacheInvalidation {
  invalidate(typeNames: readonly string[]): Promise<void>;
}

export interface ResponseCache extends ResponseCacheInvalidation {
  plugins: Plugin[];
}

/** Answers kept at most (least recently used go first). */
const MAX_ENTRIES = 1000;

/** The session part of the key: the caller's sorted scopes (never its name, so equal scopes share). */
export function cacheSessionOf(caller: Caller): string {
  return `scopes:${[...caller.scopes].sort().join(',')}`;
}

const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

export function createResponseCache(opts: {
  schema: GraphQLSchema;
  ttlMs: number;
  metrics: Metrics;
  log: Logger;
  store?: ResponseCacheStore;
}): ResponseCache {
  const store = opts.store ?? createInMemoryCache({ max: MAX_ENTRIES });
  const cache = useResponseCache<{ req?: { caller?: Caller } }>({
    cache: store,
    ttl: opts.ttlMs,
    // Yoga's node listener hands the plugin {req, res}: the caller authenticated in server.ts is on req.
    session: (_request, context) => cacheSessionOf(context.req?.caller ?? NOBODY),
    // The plugin's default key is SHA-256 through WebCrypto: an async thread-pool job per request, a tenth
    // of the CPU of a cheap query (bench/runtime.ts). node:crypto hashes the same text synchronously.
    buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId }) =>
      createHash('sha256')
        .update(
          [
            documentString,
            operationName ?? '',
            stableStringify(variableValues ?? {}),
            sessionId ?? '',
          ].join('|'),
        )
        .digest('hex'),
    // `__schema` is never cached by the plugin itself; `__type` neither, here. Sync jobs change while they
    // run: whoever follows one must see it move.
    ttlPerSchemaCoordinate: {
      'Query.__schema': 0,
      'Query.__type': 0,
      'Query.syncJob': 0,
      'Query.syncJobs': 0,
      // A router's entity fetches: a null (not found yet) would be tagged by the union only, which no
      // write invalidates; the router has its own cache.
      'Query._entities': 0,
    },
    // No `extensions.responseCache` in answers (the plugin adds it when NODE_ENV=development).
    includeExtensionMetadata: false,
  });
  const observe: Plugin = {
    onExecute({ args }: { args: ExecutionArgs }) {
      // Executed = not served from the cache (introspection included).
      if (getOperationAST(args.document, args.operationName)?.operation === OperationTypeNode.QUERY)
        opts.metrics.responseCache.inc({ outcome: 'miss' });
    },
    onExecutionResult({ result }) {
      if (result && SERVED_FROM_CACHE in result) opts.metrics.responseCache.inc({ outcome: 'hit' });
    },
  };
  const targets = invalidationTargets(opts.schema);
  return {
    plugins: [cache, observe],
    async invalidate(typeNames) {
      if (typeNames.length === 0) return;
      try {
        await store.invalidate(targets(typeNames).map((typename) => ({ typename })));
      } catch (err) {
        // The write is done either way; a store that failed to forget serves its older answers until the TTL.
        opts.log.error({ err, typeNames }, 'response cache invalidation failed');
      }
    },
  };
}

/**
 * Each type name with the interfaces it implements and the connection and edge types listing it: the tags
 * a cached answer may carry for that type without holding an object of it.
 */
export function invalidationTargets(
  schema: GraphQLSchema,
): (typeNames: readonly string[]) => string[] {
  const named = Object.values(schema.getTypeMap()).filter(
    (t) => isObjectType(t) && !t.name.startsWith('__'),
  );
  const fieldTypes = (t: GraphQLNamedType, field: string) =>
    isObjectType(t) || isInterfaceType(t)
      ? getNamedType(t.getFields()[field]?.type)?.name
      : undefined;
  const wrappersOf = (name: string): string[] => {
    const edges = named.filter((t) => fieldTypes(t, 'node') === name).map((t) => t.name);
    const connections = named
      .filter((t) => edges.includes(fieldTypes(t, 'edges') ?? ''))
      .map((t) => t.name);
    const type = schema.getType(name);
    const interfaces = isObjectType(type) ? type.getInterfaces().map((i) => i.name) : [];
    return [name, ...interfaces, ...edges, ...connections];
  };
  const memo = new Map<string, string[]>();
  return (typeNames) => [
    ...new Set(
      typeNames.flatMap((name) => {
        let found = memo.get(name);
        if (!found) memo.set(name, (found = wrappersOf(name)));
        return found;
      }),
    ),
  ];
}
