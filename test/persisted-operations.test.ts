import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedManifest } from '../scripts/persisted-operations';
import { DepartmentsDocument } from '../src/generated/operations';
import { operationHash } from '../src/graph/persisted-operations';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway, type TestGateway } from './support/gateway';

/** Persisted operations by hash, and PERSISTED_OPERATIONS=only refusing any other document. */
const manifest = JSON.parse(
  readFileSync(new URL('../schema/persisted-operations.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const departments = operationHash(print(DepartmentsDocument));

let only: TestGateway;
let allow: TestGateway;
beforeAll(async () => {
  [only, allow] = await Promise.all([
    startTestGateway({
      students: 20,
      security: { ...OPEN_SECURITY, persistedOperations: { mode: 'only', extra: {} } },
    }),
    startTestGateway({
      students: 20,
      security: {
        ...OPEN_SECURITY,
        persistedOperations: {
          mode: 'allow',
          // A client's own operation, registered at its build (PERSISTED_OPERATIONS_FILE).
          extra: {
            [operationHash('query Mine { departments { acronym } }')]:
              'query Mine { departments { acronym } }',
          },
        },
      },
    }),
  ]);
});
afterAll(() => Promise.all([only.close(), allow.close()]));

async function post(gw: TestGateway, body: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: { departments?: Array<{ acronym: string }> };
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    },
  };
}

describe('persisted operations', () => {
  it('schema/persisted-operations.json is what codegen makes of the generated documents (run `npm run codegen`)', () => {
    expect(manifest).toEqual(generatedManifest());
    expect(manifest[departments]).toBe(print(DepartmentsDocument));
  });

  it('PERSISTED_OPERATIONS=only: an ad-hoc document is refused, upstreams untouched; Departments by hash runs', async () => {
    only.resetCalls();
    const adHoc = await post(only, { query: '{ departments { acronym } }' });
    expect(adHoc.status).toBe(400);
    expect(adHoc.body.data).toBeUndefined();
    expect(adHoc.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    expect(adHoc.body.errors?.[0]?.message).toMatch(/PERSISTED_OPERATIONS=only/);
    expect(only.calls()).toEqual({});

    // Apollo's extension and the documentId of the GraphQL-over-HTTP proposal, with or without `sha256:`.
    for (const body of [
      { extensions: { persistedQuery: { version: 1, sha256Hash: departments } } },
      { documentId: departments },
      { documentId: `sha256:${departments}` },
    ]) {
      const res = await post(only, body);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.body.data?.departments?.length).toBeGreaterThan(0);
    }

    const unknown = await post(only, { documentId: 'f'.repeat(64) });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('PERSISTED_OPERATIONS=allow: both, and a client manifest adds its own operations', async () => {
    expect(
      (await post(allow, { query: '{ departments { acronym } }' })).body.data?.departments,
    ).toBeDefined();
    expect((await post(allow, { documentId: departments })).body.data?.departments).toBeDefined();
    const mine = await post(allow, {
      documentId: operationHash('query Mine { departments { acronym } }'),
    });
    expect(mine.body.data?.departments?.length).toBeGreaterThan(0);
  });

  it('the typed partner client (examples/partner-client.ts) runs against a gateway that accepts only persisted operations', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'examples/partner-client.ts'],
      {
        cwd: new URL('..', import.meta.url).pathname,
        env: { ...process.env, CAMPUS_GRAPH_URL: only.url },
      },
    );
    expect(stdout).toMatch(/^\d+ départements: /);
    expect(stdout).toMatch(/: \d+ students, \d+ with a Moodle account/);
  });
});
