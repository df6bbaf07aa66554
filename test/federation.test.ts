import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { assertCompositionSuccess, composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Scope } from '../src/auth/scopes';
import { FEDERATION_SPEC } from '../src/graph/federation';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway';

/**
 * Campus Graph as a Federation v2 subgraph, over HTTP: its `_service { sdl }` composes with a second
 * subgraph written here (a library adding `Student.loans`), Hive Gateway serves the supergraph, and queries
 * crossing both subgraphs are counted call by call, on both sides.
 */

// ---------- the second subgraph: a library, keyed on the student's NIP

const LOANS_SDL = `extend schema @link(url: "${FEDERATION_SPEC}", import: ["@key"])

type Query {
  "Loans past their due date."
  overdueLoans: [Loan!]!
}

"A library loan."
type Loan {
  "Title of the book."
  title: String!
  "Who borrowed it."
  borrower: Student!
}

type Student @key(fields: "nip") {
  nip: String
  "Books the student has on loan."
  loans: [Loan!]!
}
`;

/** The same types without federation directives, plus the protocol fields, for the runtime schema. */
const LOANS_RUNTIME = `
scalar _Any
union _Entity = Student
type _Service { sdl: String }
type Query { overdueLoans: [Loan!]! _service: _Service! _entities(representations: [_Any!]!): [_Entity]! }
type Loan { title: String! borrower: Student! }
type Student { nip: String loans: [Loan!]! }
`;

interface Loans {
  url: string;
  /** The size of each `_entities` request it received. */
  entityBatches: number[];
  close(): Promise<void>;
}

async function startLoans(borrowers: string[]): Promise<Loans> {
  const entityBatches: number[] = [];
  const loanOf = (nip: string) => ({ title: `Book of ${nip}`, borrower: { nip } });
  const schema = createSchema({
    typeDefs: LOANS_RUNTIME,
    resolvers: {
      _Entity: { __resolveType: () => 'Student' },
      Student: { loans: (s: { nip: string }) => [loanOf(s.nip)] },
      Query: {
        overdueLoans: () => borrowers.map(loanOf),
        _service: () => ({ sdl: LOANS_SDL }),
        _entities: (_root: unknown, args: { representations: Array<{ nip: string }> }) => {
          entityBatches.push(args.representations.length);
          return args.representations.map((r) => ({ nip: r.nip }));
        },
      },
    },
  });
  const yoga = createYoga({ schema, logging: false });
  const server = createServer((req, res) => void yoga(req, res));
  return {
    url: `${await listen(server)}/graphql`,
    entityBatches,
    close: () => closeServer(server),
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function post<T>(url: string, query: string, variables?: object, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { ...body, status: res.status };
}

// ---------- fixtures

let gw: TestGateway;
let loans: Loans;
let supergraph: { url: string; close(): Promise<void> };
/** Twelve students with one active Moodle account each, NIPs unique across the university. */
let twelve: Array<{ nip: string; etudid: number }>;

const SDL = '{ _service { sdl } }';
const sdlOf = async (url: string) =>
  (await post<{ _service: { sdl: string } }>(url, SDL)).data!._service.sdl;

beforeAll(async () => {
  // Production: introspection off, masked errors; `_service` must answer anyway.
  gw = await startTestGateway({
    production: true,
    listCacheTtlMs: 0,
    security: { ...OPEN_SECURITY, introspection: false, graphiql: false },
  });
  const all = gw.sims.university.students;
  const counts = new Map<string, number>();
  for (const s of all) if (s.nip) counts.set(s.nip, (counts.get(s.nip) ?? 0) + 1);
  twelve = all
    .filter((s) => s.nip && counts.get(s.nip) === 1 && s.moodle === 'active')
    .filter((s) => s.moodleIdnumber === s.nip)
    .slice(0, 12)
    .map((s) => ({ nip: s.nip!, etudid: s.etudid }));
  loans = await startLoans(twelve.map((s) => s.nip));
  const composed = composeServices([
    { name: 'campus', typeDefs: parse(await sdlOf(`${gw.url}/graphql`)), url: `${gw.url}/graphql` },
    { name: 'loans', typeDefs: parse(await sdlOf(loans.url)), url: loans.url },
  ]);
  assertCompositionSuccess(composed);
  const runtime = createGatewayRuntime({ supergraph: composed.supergraphSdl, logging: false });
  const server = createServer((req, res) => void runtime(req, res));
  supergraph = { url: `${await listen(server)}/graphql`, close: () => closeServer(server) };
});
afterAll(async () => {
  await supergraph?.close();
  await loans?.close();
  await gw?.close();
});
beforeEach(async () => {
  // The ScoDoc token belongs to no test.
  await gw.query('{ departments { acronym } }');
  gw.resetCalls();
  loans.entityBatches.length = 0;
});

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

// ---------- the subgraph SDL

describe('_service { sdl }', () => {
  it('answers in production with introspection off, costs no upstream call', async () => {
    const introspection = await gw.query('{ __schema { queryType { name } } }');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const sdl = await sdlOf(`${gw.url}/graphql`);
    expect(sdl).toContain(`extend schema @link(url: "${FEDERATION_SPEC}", import: ["@key"])`);
    expect(sdl).toMatch(
      /type Student implements Node @key\(fields: "nip"\) @key\(fields: "etudid"\)/,
    );
    expect(sdl).toMatch(/type Course implements Node @key\(fields: "moodleId"\)/);
    expect(sdl).toMatch(/type Department implements Node @key\(fields: "acronym"\)/);
    expect(sdl).toMatch(/type Semester implements Node @key\(fields: "formsemestreId"\)/);
    // The protocol's own types are the router's: not in the SDL it composes.
    expect(sdl).not.toMatch(/_entities|_service|_Any|_Entity|_Service/);
    expect(gw.calls()).toEqual({});
  });

  it('composes with a second subgraph without errors', async () => {
    const composed = composeServices([
      { name: 'campus', typeDefs: parse(await sdlOf(`${gw.url}/graphql`)) },
      { name: 'loans', typeDefs: parse(LOANS_SDL) },
    ]);
    expect(composed.errors).toBeUndefined();
    assertCompositionSuccess(composed);
    expect(composed.supergraphSdl).toContain('loans: [Loan!]!');
  });
});

// ---------- _entities straight on Campus Graph

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Student { etudid nip lastName moodleAccount { username } }
  }
}`;
type Entities = {
  _entities: Array<{ etudid: number; moodleAccount: { username: string } | null }>;
};

describe('_entities', () => {
  it('12 students by NIP: 12 resolved, one Moodle user look-up, one ScoDoc call per NIP', async () => {
    const representations = twelve.map((s) => ({ __typename: 'Student', nip: s.nip }));
    const res = await gw.query<Entities, object>(ENTITIES, { representations });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((s) => s.etudid)).toEqual(twelve.map((s) => s.etudid));
    expect(res.data!._entities.every((s) => s.moodleAccount !== null)).toBe(true);
    // ScoDoc has no batch look-up by NIP: one call each (the same as student(nip:)); Moodle batches.
    expect(gw.calls()).toEqual({ 'GET /etudiants/nip/<nip>': 12, core_user_get_users_by_field: 1 });
  });

  it('12 students by etudid: the same one Moodle call', async () => {
    const representations = twelve.map((s) => ({ __typename: 'Student', etudid: s.etudid }));
    const res = await gw.query<Entities, object>(ENTITIES, { representations });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((s) => s.etudid)).toEqual(twelve.map((s) => s.etudid));
    expect(gw.calls()).toEqual({
      'GET /etudiant/etudid/<etudid>': 12,
      core_user_get_users_by_field: 1,
    });
  });

  it('courses, départements and semesters by key; an unknown key is null, a bad one an error', async () => {
    const u = gw.sims.university;
    const courses = [...gw.sims.moodle!.store.courses.values()].filter((c) => c.id !== 1);
    const representations = [
      ...courses.slice(0, 5).map((c) => ({ __typename: 'Course', moodleId: c.id })),
      { __typename: 'Department', acronym: u.departments[0]!.acronym },
      { __typename: 'Semester', formsemestreId: u.semesters[0]!.id },
      { __typename: 'Course', moodleId: 999_999 },
      { __typename: 'Course', moodleId: 'x' },
      { __typename: 'Loan', title: 'not ours' },
    ];
    const res = await gw.query<{ _entities: Array<Record<string, unknown> | null> }, object>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        __typename ... on Course { moodleId } ... on Department { acronym }
        ... on Semester { formsemestreId } } }`,
      { representations },
    );
    const found = res.data!._entities;
    expect(found.slice(0, 5).map((c) => c!.moodleId)).toEqual(courses.slice(0, 5).map((c) => c.id));
    expect(found[5]).toEqual({ __typename: 'Department', acronym: u.departments[0]!.acronym });
    expect(found[6]).toMatchObject({ formsemestreId: u.semesters[0]!.id });
    expect(found.slice(7)).toEqual([null, null, null]);
    expect(res.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['_entities', 8], 'BAD_USER_INPUT'],
      [['_entities', 9], 'BAD_USER_INPUT'],
    ]);
    // Six courses by id in one call (Moodle refuses the batch over the unknown id: the client's fallback
    // asks core_course_get_courses once); the département list once; the semester once.
    expect(gw.calls()).toEqual({
      core_course_get_courses_by_field: 1,
      core_course_get_courses: 1,
      'GET /departements': 1,
      'GET /formsemestre/<id>': 1,
    });
  });

  it('is priced per representation: too many are refused before any call', async () => {
    const representations = Array.from({ length: 301 }, (_, i) => ({
      __typename: 'Semester',
      formsemestreId: i + 1,
    }));
    const res = await gw.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
      { r: representations },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BUDGET_EXCEEDED');
    expect(gw.calls()).toEqual({});
  });
});

// ---------- through Hive Gateway

describe('a supergraph served by Hive Gateway', () => {
  it('Campus Graph → loans: 12 students of a roster, their loans in one _entities call', async () => {
    const acronym = gw.sims.university.departments[0]!.acronym;
    const res = await post<{
      department: { students: { edges: Array<{ node: { nip: string; loans: unknown[] } }> } };
    }>(
      supergraph.url,
      `{ department(acronym: "${acronym}") {
          students(first: 12) { edges { node { nip lastName loans { title } } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const students = res.data!.department.students.edges.map((e) => e.node);
    expect(students).toHaveLength(12);
    expect(students.every((s) => s.loans.length === 1)).toBe(true);
    expect(loans.entityBatches).toEqual([12]);
    // The département (list) and its students (one roster call): nothing per student.
    expect(total(gw.calls()), JSON.stringify(gw.calls())).toBe(2);
  });

  it('loans → Campus Graph: 12 borrowers in one _entities call, one Moodle user look-up', async () => {
    const res = await post<{
      overdueLoans: Array<{
        borrower: { nip: string; moodleAccount: { username: string } | null };
      }>;
    }>(
      supergraph.url,
      '{ overdueLoans { title borrower { nip lastName moodleAccount { username } } } }',
    );
    expect(res.errors).toBeUndefined();
    const borrowers = res.data!.overdueLoans.map((l) => l.borrower);
    expect(borrowers.map((b) => b.nip)).toEqual(twelve.map((s) => s.nip));
    expect(borrowers.every((b) => b.moodleAccount !== null)).toBe(true);
    // One _entities request for the 12 (Hive Gateway batches), so one Moodle call for their accounts.
    expect(gw.calls()).toEqual({ 'GET /etudiants/nip/<nip>': 12, core_user_get_users_by_field: 1 });
  });
});

// ---------- scopes

describe('scopes through _entities', () => {
  const key = (scope: Scope) => ({
    name: scope,
    key: `key-${scope}-0123456789abcdef`,
    scopes: [scope],
  });
  const READ = key('read');
  const PERSONAL = { ...key('read:personal'), scopes: ['read', 'read:personal'] as Scope[] };
  const SYNC_ONLY = key('sync');
  let secured: TestGateway;
  beforeAll(async () => {
    secured = await startTestGateway({
      security: {
        ...OPEN_SECURITY,
        auth: { apiKeys: [READ, PERSONAL, SYNC_ONLY], jwt: null, disabled: false },
      },
    });
  });
  afterAll(() => secured?.close());

  const query = (headers: Record<string, string>) => {
    const s = secured.sims.university.students.find((x) => x.nip && x.ine)!;
    return post<{ _entities: Array<{ nip: string; ine: string | null } | null> }>(
      `${secured.url}/graphql`,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Student { nip ine } } }`,
      { r: [{ __typename: 'Student', etudid: s.etudid }] },
      headers,
    );
  };

  it('personal fields stay behind read:personal', async () => {
    const res = await query({ authorization: `Bearer ${READ.key}` });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.errors?.[0]?.path).toEqual(['_entities', 0, 'ine']);
    const allowed = await query({ authorization: `Bearer ${PERSONAL.key}` });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data!._entities[0]!.ine).toBeTruthy();
  });

  it('a key without read loads no entity: _entities is a field like any other, under scope-auth', async () => {
    secured.resetCalls();
    const res = await query({ authorization: `Bearer ${SYNC_ONLY.key}` });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.data?._entities ?? null).toBeNull();
    expect(secured.calls()).toEqual({});
  });

  it('no credentials, no entities', async () => {
    secured.resetCalls();
    const res = await query({});
    expect(res.status).toBe(401);
    expect(secured.calls()).toEqual({});
  });
});
