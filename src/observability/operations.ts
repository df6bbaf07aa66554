import * as operations from '../generated/operations';

/**
 * The operation names metrics may carry as a label: those of the example operations (schema/operations,
 * compiled into src/generated/operations.ts by codegen, so a bundle needs no file at run time). Any other name
 * a client sends is counted as `other`: a label taken from the client would let it grow /metrics without bound.
 */
export function knownOperationNames(): string[] {
  const names = new Set<string>();
  for (const value of Object.values(operations)) {
    if (typeof value !== 'object' || value === null || !('definitions' in value)) continue;
    for (const def of (
      value as { definitions: readonly { kind: string; name?: { value: string } }[] }
    ).definitions)
      if (def.kind === 'OperationDefinition' && def.name) names.add(def.name.value);
  }
  return [...names].sort();
}

/** The label of an operation: its name when known, `anonymous` without one, `other` otherwise. */
export function operationLabel(known: ReadonlySet<string>, name: string | undefined): string {
  if (!name) return 'anonymous';
  return known.has(name) ? name : 'other';
}
