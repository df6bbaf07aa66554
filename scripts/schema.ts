import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaFile } from '../src/graph/print';

// `npm run schema:print` writes schema/schema.graphql from the code; `npm run schema:check` fails on drift.
const file = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
const printed = printSchemaFile();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // A missing file is drift too.
  }
  if (current !== printed) {
    process.stderr.write(
      'schema/schema.graphql is out of date with the code: run `npm run schema:print` and commit it.\n',
    );
    process.exit(1);
  }
  process.stdout.write('schema/schema.graphql is up to date.\n');
} else {
  writeFileSync(file, printed);
  process.stdout.write(`wrote ${file}\n`);
}
