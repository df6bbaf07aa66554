import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { expect, it } from 'vitest';
import config from '../codegen';

// Its own file: codegen loads graphql's CommonJS build, which must not meet the schema built from the ESM one.
it('src/generated/operations.ts is what codegen makes of schema/operations (run `npm run codegen`)', async () => {
  // generate() is declared to return `FileOutput[] | any` (any for its watch mode): say which it is here.
  const outputs = (await generate({ ...config, silent: true }, false)) as Array<{
    filename: string;
    content: string;
  }>;
  expect(outputs.length).toBeGreaterThan(0);
  for (const output of outputs)
    expect(
      readFileSync(new URL(`../${output.filename}`, import.meta.url), 'utf8'),
      output.filename,
    ).toBe(output.content);
});
