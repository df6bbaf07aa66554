import { GraphQLError } from 'graphql';

/**
 * Cursor paging over a list the gateway holds in full (ScoDoc pages nothing). Cursors are keyset cursors:
 * they encode the sort key of the last item seen, not its position, so a student added or removed between
 * two pages neither repeats nor skips anyone.
 */

export const MAX_PAGE_SIZE = 200;

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

export function encodeCursor(key: string): string {
  return Buffer.from(`k:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('k:')) throw badCursor();
  return text.slice(2);
}

function badCursor() {
  return new GraphQLError('Invalid cursor: pass an endCursor returned by this field.', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/** `items` must be sorted by `keyOf` ascending, and keys must be unique. */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  args: {
    first?: number | null;
    after?: string | null;
    last?: number | null;
    before?: string | null;
  },
): Page<T> {
  if (args.last != null || args.before != null) {
    throw new GraphQLError('This list pages forward only: use first and after.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const first = args.first ?? 50;
  if (first < 0 || first > MAX_PAGE_SIZE) {
    throw new GraphQLError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  let start = 0;
  if (args.after) {
    const afterKey = decodeCursor(args.after);
    start = lowerBound(items, keyOf, afterKey);
    if (start < items.length && keyOf(items[start]!) === afterKey) start += 1;
  }
  const slice = items.slice(start, start + first);
  const edges = slice.map((node) => ({ node, cursor: encodeCursor(keyOf(node)) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: items.length,
  };
}

/** First index whose key is >= key (binary search: the lists are sorted, and can be thousands long). */
function lowerBound<T>(items: readonly T[], keyOf: (item: T) => string, key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid]!) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A sort key that orders like a roster (name, first name) and stays unique (the id breaks ties). */
export function rosterKey(lastName: string, firstName: string | null, id: number): string {
  const fold = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase();
  return `${fold(lastName)}\u0000${fold(firstName ?? '')}\u0000${String(id).padStart(12, '0')}`;
}
