import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES, type Scope } from '../src/auth/scopes';
import type { SecurityConfig } from '../src/config';
import {
  CreateCourseDocument,
  CreateDepartmentCategoryDocument,
  CreateDepartmentDocument,
  CreateMoodleAccountDocument,
  CreateStudentDocument,
  DeleteCourseDocument,
  DeleteDepartmentDocument,
  DeleteMoodleAccountDocument,
  EnrolDocument,
  SyncSemesterDocument,
  UnenrolDocument,
} from '../src/generated/operations';
import { OPEN_SECURITY } from '../src/server';
import { MOODLE_SIM_TOKEN, SCODOC_SIM_PASSWORD } from '../src/simulators/start';
import { anyOf, objectContaining } from './support/expect';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway';

const JWT_SECRET = 'jwt-s3cret-0123456789abcdef0123456789';
const keyOf = (scope: Scope) =>
  `key-${scope.replace(/[^a-z*]/g, '-').replace('*', 'star')}-0123456789abcdef`;
const KEYS = SCOPES.map((scope) => ({ name: `k-${scope}`, key: keyOf(scope), scopes: [scope] }));
const READER = { name: 'reader', key: 'reader-key-0123456789abcdef', scopes: ['read' as Scope] };
const SECURITY: SecurityConfig = {
  ...OPEN_SECURITY,
  auth: {
    apiKeys: [...KEYS, READER],
    jwt: {
      secret: JWT_SECRET,
      issuer: 'https://sso.univ-demo.fr',
      audience: 'campus-graph',
      scopesClaim: 'scope',
    },
    disabled: false,
  },
  corsOrigins: ['https://app.univ-demo.fr'],
  rateLimitPerMinute: 100_000,
  // These tests fail authentication on purpose, many times, all from 127.0.0.1.
  authFailuresPerMinute: 100_000,
  maxBodyBytes: 20_000,
  limits: { depth: 8, aliases: 5, tokens: 800, cost: 5000, upstreamCalls: 300 },
};
const SECRETS = [
  ...KEYS.map((k) => k.key),
  READER.key,
  JWT_SECRET,
  SCODOC_SIM_PASSWORD,
  MOODLE_SIM_TOKEN,
];
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const everything = bearer(keyOf('*'));

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ students: 200, security: SECURITY, secrets: SECRETS });
});
afterAll(() => gw.close());

async function raw(body: string, headers: Record<string, string> = {}, method = 'POST') {
  const res = await fetch(`${gw.url}/graphql`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'GET' ? undefined : body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A typed document and its variables as the JSON body of a POST. */
const bodyOf = <T, V>(doc: TypedDocumentNode<T, V>, variables: V) =>
  JSON.stringify({ query: print(doc), variables });

const auditLines = () =>
  gw.logLines
    .filter((l) => l.includes('"audit"'))
    .map((l) => (JSON.parse(l) as { audit: Record<string, unknown> }).audit);

function jwt(
  claims: Record<string, unknown>,
  opts: { secret?: string; expires?: string; issuer?: string; audience?: string } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('teacher42')
    .setIssuer(opts.issuer ?? 'https://sso.univ-demo.fr')
    .setAudience(opts.audience ?? 'campus-graph')
    .setIssuedAt()
    .setExpirationTime(opts.expires ?? '5m')
    .sign(new TextEncoder().encode(opts.secret ?? JWT_SECRET));
}

describe('client authentication', () => {
  it('missing, malformed or unknown credentials get HTTP 401, not a 200 with errors', async () => {
    for (const headers of [
      {},
      { authorization: 'Basic abc' },
      bearer('not-a-key-at-all-1234'),
      bearer(`${keyOf('*')}x`),
    ]) {
      const res = await raw('{"query":"{ departments { acronym } }"}', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      const body = JSON.parse(res.text) as Pick<GraphQLResponse<never>, 'errors'>;
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('accepts a valid JWT (scopes from the claim, subject as the caller) and refuses bad ones', async () => {
    const ok = await gw.query(
      '{ departments { acronym } }',
      {},
      bearer(await jwt({ scope: 'read sync' })),
    );
    expect(ok.data).toMatchObject({ departments: anyOf(Array) });
    for (const token of [
      await jwt({ scope: 'read' }, { secret: 'another-secret-0123456789abcdef0123' }),
      await jwt({ scope: 'read' }, { expires: '-1m' }),
      await jwt({ scope: 'read' }, { issuer: 'https://evil.example' }),
      await jwt({ scope: 'read' }, { audience: 'someone-else' }),
    ]) {
      expect((await raw('{"query":"{ departments { acronym } }"}', bearer(token))).status).toBe(
        401,
      );
    }
    const noScope = await gw.query('{ departments { acronym } }', {}, bearer(await jwt({})));
    expect(noScope.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('verifies JWTs against the identity provider JWKS when JWT_JWKS_URL is set', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const idp = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
    const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
    const withJwks = await startTestGateway({
      students: 20,
      security: {
        ...SECURITY,
        auth: {
          apiKeys: [],
          jwt: {
            jwksUrl,
            issuer: 'https://sso.univ-demo.fr',
            audience: 'campus-graph',
            scopesClaim: 'scp',
          },
          disabled: false,
        },
      },
    });
    try {
      const sign = (key: CryptoKey, kid: string) =>
        new SignJWT({ scp: ['read'] })
          .setProtectedHeader({ alg: 'RS256', kid })
          .setSubject('s1')
          .setIssuer('https://sso.univ-demo.fr')
          .setAudience('campus-graph')
          .setExpirationTime('5m')
          .sign(key);
      expect(
        (
          await withJwks.query(
            '{ departments { acronym } }',
            {},
            bearer(await sign(privateKey, 'k1')),
          )
        ).data,
      ).toMatchObject({
        departments: anyOf(Array),
      });
      const other = await generateKeyPair('RS256');
      const res = await fetch(`${withJwks.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...bearer(await sign(other.privateKey, 'k1')),
        },
        body: '{"query":"{ __typename }"}',
      });
      expect(res.status).toBe(401);
    } finally {
      await withJwks.close();
      await new Promise((r) => idp.close(r));
    }
  });

  it('the audit line names the client', async () => {
    await gw.execute(
      CreateDepartmentDocument,
      { input: { acronym: 'bad acronym' } },
      bearer(keyOf('write:departments')),
    );
    expect(auditLines().at(-1)).toMatchObject({
      mutation: 'createDepartment',
      who: 'key:k-write:departments',
      outcome: 'ValidationError',
    });
  });
});

describe('authorization', () => {
  /**
   * One mutation through its typed document, for the matrix: `typename` sends it with the given credentials
   * and returns the __typename of its result.
   */
  const mutation = <T extends Record<K, { __typename: string }>, V, K extends keyof T & string>(
    doc: TypedDocumentNode<T, V>,
    name: K,
    needed: Scope,
    variables: V,
  ) => ({
    name,
    needed,
    typename: async (headers: Record<string, string>) =>
      (await gw.execute(doc, variables, headers))[name].__typename,
  });
  // The inputs are invalid on purpose: an allowed call gets past authorization and stops at validation.
  const MUTATIONS = [
    mutation(CreateDepartmentDocument, 'createDepartment', 'write:departments', {
      input: { acronym: 'bad acronym' },
    }),
    mutation(DeleteDepartmentDocument, 'deleteDepartment', 'write:departments', {
      acronym: 'bad acronym',
    }),
    mutation(CreateDepartmentCategoryDocument, 'createDepartmentCategory', 'write:departments', {
      acronym: 'bad acronym',
    }),
    mutation(CreateStudentDocument, 'createStudent', 'write:accounts', {
      input: { department: '', lastName: '', firstName: '', civility: 'Q' },
    }),
    mutation(CreateMoodleAccountDocument, 'createMoodleAccount', 'write:accounts', {
      nip: '../x',
    }),
    mutation(DeleteMoodleAccountDocument, 'deleteMoodleAccount', 'write:accounts', {
      nip: '../x',
    }),
    mutation(CreateCourseDocument, 'createCourse', 'write:courses', {
      input: { shortName: '', fullName: '', department: '' },
    }),
    mutation(DeleteCourseDocument, 'deleteCourse', 'write:courses', { id: -1 }),
    mutation(EnrolDocument, 'enrol', 'write:enrolments', { input: { courseId: -1, nips: [] } }),
    mutation(UnenrolDocument, 'unenrol', 'write:enrolments', {
      input: { courseId: -1, nips: [] },
    }),
    mutation(SyncSemesterDocument, 'syncSemester', 'sync', { input: { semesterId: -1 } }),
  ];

  it('every mutation × every scope: allowed exactly where it should be, and a refusal sends nothing upstream', async () => {
    const matrix: string[] = [];
    for (const { name, needed, typename } of MUTATIONS) {
      for (const scope of SCOPES) {
        gw.resetCalls();
        const got = await typename(bearer(keyOf(scope)));
        const allowed = scope === needed || scope === '*';
        // Allowed calls get past authorization and stop at validation (the inputs are invalid on purpose).
        expect(got, `${name} with ${scope}`).toBe(allowed ? 'ValidationError' : 'ForbiddenError');
        if (!allowed) expect(gw.calls(), `${name} with ${scope}`).toEqual({});
        matrix.push(`${name}:${scope}:${allowed ? 'allowed' : 'forbidden'}`);
      }
    }
    expect(matrix).toHaveLength(MUTATIONS.length * SCOPES.length);
  });

  it('reading needs `read`; personal fields need `read:personal`, and a refusal nulls only them', async () => {
    const s = gw.sims.university.students.find(
      (x) => x.moodle === 'active' && x.moodleIdnumber === x.nip,
    )!;
    const q = `{ student(nip: "${s.nip}") { lastName email ine moodleAccount { username email } } }`;
    const noRead = await gw.query(q, {}, bearer(keyOf('write:courses')));
    expect(noRead.data).toEqual({ student: null });
    expect(noRead.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    gw.resetCalls();
    const reader = await gw.query(q, {}, bearer(READER.key));
    expect(reader.data).toEqual({
      student: {
        lastName: s.nom,
        email: null,
        ine: null,
        moodleAccount: { username: anyOf(String), email: null },
      },
    });
    expect(reader.errors?.map((e) => e.extensions?.code)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
    ]);
    const full = await gw.query(q, {}, everything);
    expect(full.data).toEqual({
      student: {
        lastName: s.nom,
        email: s.email,
        ine: s.ine,
        moodleAccount: objectContaining({ email: s.email }),
      },
    });
  });
});

describe('limits', () => {
  it('depth, aliases, tokens and cost are capped', async () => {
    const deep =
      '{ department(acronym: "INFO") { semesters { department { semesters { department { semesters { department { semesters { title } } } } } } } } }';
    const aliases = `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: departments { acronym }`).join(' ')} }`;
    const tokens = `{ departments { ${Array.from({ length: 1200 }, () => 'acronym').join(' ')} } }`;
    for (const query of [deep, aliases, tokens]) {
      gw.resetCalls();
      const res = await gw.query(query, {}, everything);
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.length).toBeGreaterThan(0);
      expect(gw.calls()).toEqual({});
    }
  });

  it('a query within depth, alias and token limits but too costly is refused by the cost limit', async () => {
    const cheap = await startTestGateway({
      students: 20,
      security: { ...SECURITY, limits: { ...SECURITY.limits, cost: 20 } },
    });
    try {
      const costly =
        '{ departments { acronym name semesters { title sessionId students { lastName firstName etudid } course { shortName } } } }';
      cheap.resetCalls();
      const res = await cheap.query(costly, {}, everything);
      expect(res.data ?? null).toBeNull();
      expect(JSON.stringify(res.errors)).toMatch(/cost/i);
      expect(cheap.calls()).toEqual({});
      expect((await cheap.query('{ departments { acronym } }', {}, everything)).data).toMatchObject(
        { departments: anyOf(Array) },
      );
    } finally {
      await cheap.close();
    }
  });

  it('a body over the cap is refused with 413 before parsing', async () => {
    const res = await raw(
      JSON.stringify({ query: `{ departments { acronym } } # ${'x'.repeat(30_000)}` }),
      everything,
    );
    expect(res.status).toBe(413);
  });

  it('a chunked body (no Content-Length) is held to the same cap: 413 past it, answered below it', async () => {
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      // A stream of small chunks: fetch sends it with Transfer-Encoding: chunked and no length.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
          controller.close();
        },
      });
      return fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...everything },
        body,
        duplex: 'half',
      } as RequestInit);
    };
    const over = await chunked(
      JSON.stringify({ query: `{ departments { acronym } } # ${'x'.repeat(30_000)}` }),
    );
    expect(over.status).toBe(413);
    expect(
      ((await over.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!
        .extensions.code,
    ).toBe('PAYLOAD_TOO_LARGE');
    const under = await chunked(
      JSON.stringify({ query: `{ departments { acronym } } # ${'x'.repeat(10_000)}` }),
    );
    expect(under.status).toBe(200);
    expect(
      ((await under.json()) as { data: { departments: unknown[] } }).data.departments.length,
    ).toBeGreaterThan(0);
  });

  it('page sizes and list arguments are capped', async () => {
    const page = await gw.query(
      '{ students(department: "INFO", first: 1000) { totalCount } }',
      {},
      everything,
    );
    expect(page.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rate limits each client separately, with Retry-After', async () => {
    const limited = await startTestGateway({
      students: 20,
      security: { ...SECURITY, rateLimitPerMinute: 3 },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await fetch(`${limited.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...everything },
          body: '{"query":"{ __typename }"}',
        });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const other = await fetch(`${limited.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(READER.key) },
        body: '{"query":"{ __typename }"}',
      });
      expect(other.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('browsers: CORS and CSRF', () => {
  it('answers CORS only for allowlisted origins', async () => {
    const pre = (origin: string) =>
      fetch(`${gw.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    expect((await pre('https://app.univ-demo.fr')).headers.get('access-control-allow-origin')).toBe(
      'https://app.univ-demo.fr',
    );
    // A browser compares this header with its own origin: anything but the evil origin makes it refuse.
    expect((await pre('https://evil.example')).headers.get('access-control-allow-origin')).not.toBe(
      'https://evil.example',
    );
  });

  it('refuses "simple" requests a browser could send from another site (CSRF)', async () => {
    const form = await fetch(
      `${gw.url}/graphql?query=${encodeURIComponent('{ departments { acronym } }')}`,
      { headers: everything },
    );
    expect(form.status).toBe(403);
    const withHeader = await fetch(
      `${gw.url}/graphql?query=${encodeURIComponent('{ departments { acronym } }')}`,
      {
        headers: { ...everything, 'x-graphql-yoga-csrf': '1' },
      },
    );
    expect(withHeader.status).toBe(200);
  });
});

describe('production mode', () => {
  let prod: TestGateway;
  beforeAll(async () => {
    prod = await startTestGateway({
      students: 20,
      production: true,
      security: { ...SECURITY, graphiql: false, introspection: false },
    });
  });
  afterAll(() => prod.close());

  it('no introspection, no GraphiQL, no field suggestions, masked errors', async () => {
    const intro = await prod.query('{ __schema { types { name } } }', {}, everything);
    expect(intro.errors?.[0]?.message).toMatch(/introspection/i);
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    const typo = await prod.query('{ departmens { acronym } }', {}, everything);
    expect(JSON.stringify(typo.errors)).not.toMatch(/Did you mean/);
    prod.sims.moodle!.setFaults({ malformed: true });
    const failing = await prod.query(
      '{ departments { acronym moodleCategoryId } }',
      {},
      everything,
    );
    prod.sims.moodle!.setFaults({ malformed: false });
    const text = JSON.stringify(failing);
    for (const forbidden of [
      'stack',
      'originalError',
      prod.sims.moodle!.url,
      'debuginfo',
      MOODLE_SIM_TOKEN,
    ])
      expect(text).not.toContain(forbidden);
  });
});

describe('production errors (low findings)', () => {
  let prod: TestGateway;
  beforeAll(async () => {
    prod = await startTestGateway({
      students: 20,
      production: true,
      security: {
        ...SECURITY,
        graphiql: false,
        introspection: false,
        limits: { ...SECURITY.limits, depth: 4 },
      },
    });
  });
  afterAll(() => prod.close());

  it('enum and variable suggestions are not shown in production errors', async () => {
    const enumTypo = await prod.query(
      '{ semester(id: 1) { students(state: REGISTRED) { etudid } } }',
      {},
      everything,
    );
    const variableTypo = await prod.query(
      'query($acronym: String!) { department(acronym: $acronym) { acronym } } ',
      { acronim: 'INFO' },
      everything,
    );
    const typeTypo = await prod.query(
      'query($n: Strin) { department(acronym: $n) { acronym } }',
      {},
      everything,
    );
    for (const res of [enumTypo, variableTypo, typeTypo]) {
      expect(res.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(res.errors)).not.toMatch(/Did you mean/);
    }
  });

  it('the computed cost or depth is not shown in production errors', async () => {
    const deep = await prod.query(
      '{ departments { students { edges { node { department { acronym } } } } } }',
      {},
      everything,
    );
    expect(deep.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(deep.errors)).not.toMatch(/limit of \d+|found \d+/);
  });

  it('a malformed JSON body gets 400 BAD_REQUEST without the parser message quoting the body', async () => {
    const res = await fetch(`${prod.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...everything },
      body: '{"query": "{ departments { acronym } }", "secret-looking-slice',
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    const body = JSON.parse(text) as { errors: { message: string; extensions: object }[] };
    expect(body.errors[0]).toEqual({
      message: 'POST body sent invalid JSON.',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(text).not.toContain('secret-looking-slice');
  });

  it('an INE look-up needs read:personal (an INE is personal data)', async () => {
    const s = prod.sims.university.students.find((x) => x.ine)!;
    const withRead = await prod.query(
      `{ student(ine: "${s.ine}") { etudid } }`,
      {},
      bearer(READER.key),
    );
    expect(withRead.data).toEqual({ student: null });
    expect(withRead.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const withPersonal = await prod.query(
      `{ student(ine: "${s.ine}") { etudid } }`,
      {},
      everything,
    );
    expect(withPersonal.data).toEqual({ student: { etudid: s.etudid } });
  });
});

describe('secrets never leak', () => {
  it('a suite of failing operations: no secret in any response body, header or log line', async () => {
    const bodies: string[] = [];
    const push = async (p: Promise<{ text: string; headers: Headers }>) => {
      const r = await p;
      bodies.push(r.text, JSON.stringify([...r.headers]));
    };
    await push(raw('{"query":"{ departments { acronym } }"}', bearer(`${keyOf('*')}-wrong`)));
    await push(
      raw(
        '{"query":"{ departments { acronym } }"}',
        bearer(await jwt({ scope: 'read' }, { secret: 'wrong-secret-0123456789abcdef01234' })),
      ),
    );
    await push(raw('{"query":"{ nope }"}', everything));
    await push(raw(bodyOf(CreateMoodleAccountDocument, { nip: '1' }), bearer(READER.key)));
    gw.sims.moodle!.setFaults({ down: true });
    await push(
      raw(
        '{"query":"{ departments { acronym moodleCategoryId } courses { totalCount } }"}',
        everything,
      ),
    );
    await push(raw(bodyOf(CreateDepartmentDocument, { input: { acronym: 'LEAK' } }), everything));
    gw.sims.moodle!.setFaults({ down: false });
    gw.sims.scodoc!.setFaults({ malformed: true });
    await push(raw('{"query":"{ student(nip: \\"1\\") { lastName } }"}', everything));
    gw.sims.scodoc!.setFaults({ malformed: false });
    const everythingSeen = [...bodies, ...gw.logLines].join('\n');
    expect(gw.logLines.length).toBeGreaterThan(10);
    for (const secret of SECRETS) expect(everythingSeen, 'a secret leaked').not.toContain(secret);
  });
});
