import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OPERATIONS_DIR = fileURLToPath(new URL('../../schema/operations/', import.meta.url));

/**
 * The operation names metrics may carry as a label: those of the example operations
 * (schema/operations/**\/*.graphql), read once at startup. Any other name a client sends is counted as
 * `other`: a label taken from the client would let it grow /metrics without bound.
 */
export function knownOperationNames(dir: string = OPERATIONS_DIR): string[] {
  const names = new Set<string>();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  for (const file of files) {
    if (!file.endsWith('.graphql')) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g))
      names.add(m[1]!);
  }
  return [...names].sort();
}

/** The label of an operation: its name when known, `anonymous` without one, `other` otherwise. */
export function operationLabel(known: ReadonlySet<string>, name: string | undefined): string {
  if (!name) return 'anonymous';
  return known.has(name) ? name : 'other';
}
