import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects any of these sub-fields (directly, or with `deep` anywhere
 * below it; through inline and named fragments too): lets a resolver start an upstream read the answer will need in the same round trip
 * as its own, instead of one level later.
 */
export function selects(
  info: GraphQLResolveInfo,
  names: readonly string[],
  opts: { deep?: boolean } = {},
): boolean {
  const wanted = new Set(names);
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((s) => {
      if (s.kind === Kind.FIELD)
        return wanted.has(s.name.value) || (opts.deep === true && visit(s.selectionSet));
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return visit(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
