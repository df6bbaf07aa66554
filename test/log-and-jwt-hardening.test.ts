import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../src/auth/scopes';
import type { SecurityConfig } from '../src/config';
import { OMITTED, personalDataFilter } from '../src/personal-data';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway, type TestGateway } from './support/gateway';

const JWT_SECRET = 'jwt-s3cret-0123456789abcdef0123456789';
const ALL = { name: 'all', key: 'all-key-0123456789abcdef', scopes: ['*' as Scope] };
const READER = { name: 'reader', key: 'reader-key-0123456789abcdef', scopes: ['read' as Scope] };
const SECURITY: SecurityConfig = {
  ...OPEN_SECURITY,
  auth: {
    apiKeys: [ALL, READER],
    jwt: { secret: JWT_SECRET, scopesClaim: 'scope' },
    disabled: false,
  },
  rateLimitPerMinute: 100_000,
};
const PSEUDONYM_KEY = 'pseudonym-key-for-tests-0123456789';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const CREATE_STUDENT =
  'mutation ($input: CreateStudentInput!) { createStudent(input: $input) { __typename ... on Error { code message } } }';
const PERSON = {
  department: 'INFO',
  lastName: 'ZYGOMATIQUE',
  firstName: 'Bérénice',
  civility: 'F',
  nip: '77700123',
  ine: 'INE7770012X',
  email: 'berenice.zygomatique@etu.univ-demo.fr',
  birthDate: '2004-02-29',
};
const PERSONAL_VALUES = [
  PERSON.lastName,
  PERSON.firstName,
  PERSON.nip,
  PERSON.ine,
  PERSON.email,
  PERSON.birthDate,
];

const auditOf = (gw: TestGateway, mutation: string) =>
  gw.logLines
    .filter((l) => l.includes('"audit"'))
    .map(
      (l) =>
        (JSON.parse(l) as { audit: { mutation: string; input: Record<string, unknown> } }).audit,
    )
    .filter((a) => a.mutation === mutation)
    .at(-1);

let gw: TestGateway;
let someNip: string;
beforeAll(async () => {
  gw = await startTestGateway({ students: 40, security: SECURITY, pseudonymKey: PSEUDONYM_KEY });
  const list = await gw.query<{ students: { edges: Array<{ node: { nip: string } }> } }, never>(
    '{ students(department: "INFO", first: 1) { edges { node { nip } } } }',
    undefined,
    bearer(ALL.key),
  );
  someNip = list.data!.students.edges[0]!.node.nip;
});
afterAll(() => gw.close());

describe('personal data in logs', () => {
  it('pseudonymous (the default): audit lines carry no name, e-mail, birth date, NIP or INE, only NIP/INE pseudonyms', async () => {
    gw.logLines.length = 0;
    await gw.query(CREATE_STUDENT, { input: PERSON }, bearer(ALL.key));
    // A failure whose message names the NIP, and a list of NIPs.
    await gw.query(
      'mutation ($nip: String!) { createMoodleAccount(nip: $nip) { __typename } }',
      { nip: '99999991' },
      bearer(ALL.key),
    );
    await gw.query(
      'mutation ($nips: [String!]!) { enrol(input: { courseId: 999999, nips: $nips }) { __typename } }',
      { nips: ['99999992', '99999993'] },
      bearer(ALL.key),
    );
    const lines = gw.logLines.join('\n');
    for (const value of [...PERSONAL_VALUES, '99999991', '99999992', '99999993'])
      expect(lines).not.toContain(value);
    const filter = personalDataFilter('pseudonymous', PSEUDONYM_KEY);
    const pseudonym = (id: string) => filter.pseudonym(id);
    expect(auditOf(gw, 'createStudent')?.input).toMatchObject({
      department: 'INFO',
      nip: pseudonym(PERSON.nip),
      ine: pseudonym(PERSON.ine),
      lastName: OMITTED,
      firstName: OMITTED,
      email: OMITTED,
      birthDate: OMITTED,
    });
    expect(auditOf(gw, 'enrol')?.input).toMatchObject({
      nips: [pseudonym('99999992'), pseudonym('99999993')],
    });
    expect(JSON.stringify(auditOf(gw, 'createMoodleAccount'))).toContain(pseudonym('99999991'));
  });

  it('none drops NIPs and INEs too; full logs the input as given', async () => {
    for (const personalData of ['none', 'full'] as const) {
      const other = await startTestGateway({ students: 20, personalData });
      try {
        await other.query(CREATE_STUDENT, { input: { ...PERSON, nip: '77700456' } });
        const input = auditOf(other, 'createStudent')?.input;
        if (personalData === 'none') {
          expect(input).toMatchObject({ nip: OMITTED, ine: OMITTED, lastName: OMITTED });
          expect(other.logLines.join('\n')).not.toContain('77700456');
        } else {
          expect(input).toMatchObject({ nip: '77700456', lastName: PERSON.lastName });
        }
      } finally {
        await other.close();
      }
    }
  });

  it('a FORBIDDEN field is logged once, without the query text', async () => {
    gw.logLines.length = 0;
    const res = await gw.query(
      `{ student(nip: "${someNip}") { etudid ine } }`,
      undefined,
      bearer(READER.key),
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const about = gw.logLines.filter((l) => l.includes('Student.ine'));
    expect(about).toHaveLength(1);
    expect(gw.logLines.join('\n')).not.toContain(someNip);
    expect(gw.logLines.join('\n')).not.toContain('GraphQL request');
  });

  it('each located upstream error is logged once', async () => {
    gw.logLines.length = 0;
    gw.sims.moodle!.setFaults({ down: true });
    try {
      const res = await gw.query(
        `{ student(nip: "${someNip}") { etudid moodleAccount { id } } }`,
        undefined,
        bearer(ALL.key),
      );
      expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      gw.reset();
    }
    const about = gw.logLines.filter((l) => l.includes('moodleAccount'));
    expect(about).toHaveLength(1);
    expect(gw.logLines.join('\n')).not.toContain('GraphQL request');
  });
});

describe('log lines people can read', () => {
  const parsed = () =>
    gw.logLines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: object });

  it('one failed Moodle call nulling five fields is one log line, without a stack', async () => {
    gw.logLines.length = 0;
    gw.sims.moodle!.setFaults({ down: true });
    try {
      const res = await gw.query(
        '{ departments { acronym moodleCategoryId } }',
        undefined,
        bearer(ALL.key),
      );
      expect(res.errors?.length).toBe(5);
    } finally {
      gw.reset();
    }
    const failures = parsed().filter((l) => l.msg.startsWith('upstream failure'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 40, upstream: 'moodle' });
    expect(gw.logLines.join('\n')).not.toContain('stack');
  });

  it('caller mistakes (FORBIDDEN, BAD_USER_INPUT) are logged at info, without a stack', async () => {
    gw.logLines.length = 0;
    const forbidden = await gw.query(
      `{ student(nip: "${someNip}") { etudid ine } }`,
      undefined,
      bearer(READER.key),
    );
    const badInput = await gw.query(
      '{ student(nip: "..") { etudid } }',
      undefined,
      bearer(ALL.key),
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(badInput.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const lines = parsed();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.level, line.msg).toBeLessThanOrEqual(30);
    expect(gw.logLines.join('\n')).not.toContain('stack');
  });
});

describe('JWT', () => {
  const sign = (claims: Record<string, unknown>, expires: string | null = '5m') => {
    const token = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('teacher42')
      .setIssuedAt();
    if (expires) token.setExpirationTime(expires);
    return token.sign(new TextEncoder().encode(JWT_SECRET));
  };
  const departments = async (token: string) =>
    gw.query<{ departments: unknown[] | null }, never>(
      '{ departments { acronym } }',
      undefined,
      bearer(token),
    );

  it('a token without exp is refused (HTTP 401)', async () => {
    expect((await departments(await sign({ scope: 'read' }))).status).toBe(200);
    expect((await departments(await sign({ scope: 'read' }, null))).status).toBe(401);
  });

  it('scopes must be strings: a nested array [["*"]] grants nothing', async () => {
    for (const scope of [[['*']], [['read']], [{ toString: '*' }], [1]]) {
      const res = await departments(await sign({ scope }));
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const ok = await departments(await sign({ scope: ['read', 7] }));
    expect(ok.errors).toBeUndefined();
  });
});
