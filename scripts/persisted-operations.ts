import { writeFileSync } from 'node:fs';
import type { DocumentNode } from 'graphql';
import * as operations from '../src/generated/operations';
import { manifestOf } from '../src/graph/persisted-operations';

/**
 * `npm run codegen`, after graphql-codegen: schema/persisted-operations.json, the hash → document manifest of
 * every operation in schema/operations (the gateway bundles it; test/codegen.test.ts checks it is current).
 */
export function generatedManifest() {
  const documents = Object.values(operations).filter(
    (value): value is DocumentNode =>
      typeof value === 'object' && value !== null && 'definitions' in value,
  );
  return manifestOf(documents);
}

if (process.argv[1]?.endsWith('persisted-operations.ts')) {
  const manifest = generatedManifest();
  writeFileSync(
    new URL('../schema/persisted-operations.json', import.meta.url),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  process.stdout.write(
    `wrote schema/persisted-operations.json (${Object.keys(manifest).length} operations)\n`,
  );
}
