import { createHash } from 'node:crypto';
import { Kind, print, type DocumentNode } from 'graphql';

/**
 * Persisted operations: documents known ahead, run by hash. The manifest (schema/persisted-operations.json,
 * `npm run codegen`) maps the SHA-256 of each generated document, printed as a client using it sends it,
 * to that text. A client sends the hash (Apollo's `extensions.persistedQuery.sha256Hash`, or the
 * `documentId` of the GraphQL-over-HTTP persisted documents proposal) instead of the text.
 */
export type OperationManifest = Record<string, string>;

/** The hash a client computes for a document: SHA-256 of its printed text, hex. */
export function operationHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The manifest of these documents: each named operation, printed with the fragments it uses. */
export function manifestOf(documents: Iterable<DocumentNode>): OperationManifest {
  const entries = [...documents]
    .filter((doc) => doc.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION))
    .map((doc) => {
      const text = print(doc);
      return [operationHash(text), text] as const;
    });
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** The id of the persisted operation a request names, if it names one. */
export function persistedIdOf(params: {
  extensions?: Record<string, unknown> | null;
  documentId?: unknown;
}): string | null {
  if (typeof params.documentId === 'string') return params.documentId.replace(/^sha256:/, '');
  const apollo = params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return typeof apollo?.sha256Hash === 'string' ? apollo.sha256Hash : null;
}
