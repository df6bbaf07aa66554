import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Scope } from '../src/auth/scopes';
import { loadConfig, type SecurityConfig } from '../src/config';
import {
  CourseDetailDocument,
  CoursesDocument,
  CreateCourseDocument,
  DepartmentRosterDocument,
  DepartmentsDocument,
  StudentAccountDocument,
  StudentByNipDocument,
  SyncSemesterDocument,
} from '../src/generated/operations';
import { MUTATION_CHANGES, typesChangedBy } from '../src/graph/mutations/changes';
import { cacheSessionOf, invalidationTargets } from '../src/graph/response-cache';
import { schema } from '../src/graph/schema';
import { OPEN_SECURITY } from '../src/server';
import type { DemoStudent } from '../src/simulators/demo-data/types';
import { anyOf, expectTypename } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

const key = (name: string, scopes: Scope[]) => ({
  name,
  key: `${name}-key-0123456789abcdef`,
  scopes,
});
const READER = key('reader', ['read']);
/** Another client with the same scopes as READER: they may share answers. */
const READER_TWO = key('reader-two', ['read']);
const PERSONAL = key('personal', ['read', 'read:personal']);
const WRITER = key('writer', ['*']);
const SECURITY: SecurityConfig = {
  ...OPEN_SECURITY,
  auth: { apiKeys: [READER, READER_TWO, PERSONAL, WRITER], jwt: null, disabled: false },
  rateLimitPerMinute: 100_000,
};
const as = (k: { key: string }) => ({ authorization: `Bearer ${k.key}` });
const upstreamCalls = (g: TestGateway) => Object.values(g.calls()).reduce((a, b) => a + b, 0);

async function cacheCount(g: TestGateway, outcome: 'hit' | 'miss'): Promise<number> {
  const metric = await g.gateway.metrics.responseCache.get();
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    students: 200,
    security: SECURITY,
    // Longer than the suite: nothing here may depend on an entry expiring.
    responseCacheTtlMs: 600_000,
    // No list cache: every upstream call saved here is the response cache's.
    listCacheTtlMs: 0,
    resilience: { retries: 0, breakerThreshold: 1_000 },
  });
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

const withoutAccount = (skip = 0) =>
  gw.sims.university.students.filter((s: DemoStudent) => s.moodle === 'none' && s.nip && s.email)[
    skip
  ]!;

describe('response cache: hits', () => {
  it('the same query twice by the same client: the second makes no upstream call and equals the first', async () => {
    const first = await gw.query(
      DepartmentRosterDocument,
      { acronym: 'INFO', first: 5 },
      as(READER),
    );
    expect(first.errors).toBeUndefined();
    expect(first.data?.department?.students?.edges).toHaveLength(5);
    expect(upstreamCalls(gw)).toBeGreaterThan(0);
    const hits = await cacheCount(gw, 'hit');

    gw.resetCalls();
    const second = await gw.query(
      DepartmentRosterDocument,
      { acronym: 'INFO', first: 5 },
      as(READER),
    );
    expect(gw.calls()).toEqual({});
    expect(second).toEqual(first);
    expect(await cacheCount(gw, 'hit')).toBe(hits + 1);

    // Other variables are another entry.
    gw.resetCalls();
    await gw.query(DepartmentRosterDocument, { acronym: 'INFO', first: 6 }, as(READER));
    expect(upstreamCalls(gw)).toBeGreaterThan(0);
  });

  it('clients with identical scopes share an entry', async () => {
    const first = await gw.query(DepartmentsDocument, { includeHidden: true }, as(READER));
    expect(first.errors).toBeUndefined();
    gw.resetCalls();
    const other = await gw.query(DepartmentsDocument, { includeHidden: true }, as(READER_TWO));
    expect(gw.calls()).toEqual({});
    expect(other).toEqual(first);
  });
});

describe('response cache: what is never shared or never cached', () => {
  it('clients with different scopes never share an entry', async () => {
    const reader = await gw.query(DepartmentsDocument, {}, as(READER));
    expect(reader.errors).toBeUndefined();
    gw.resetCalls();
    const personal = await gw.query(DepartmentsDocument, {}, as(PERSONAL));
    expect(upstreamCalls(gw)).toBeGreaterThan(0);
    expect(personal).toEqual(reader);
  });

  it('a caller without read:personal gets FORBIDDEN, never the answer cached for a read:personal caller', async () => {
    const s = gw.sims.university.students.find(
      (x) => x.moodle === 'active' && x.moodleIdnumber === x.nip && x.email && x.ine,
    )!;
    const full = await gw.query(StudentByNipDocument, { nip: s.nip! }, as(PERSONAL));
    expect(full.errors).toBeUndefined();
    expect(full.data?.student).toMatchObject({ email: s.email, ine: s.ine });
    expect(full.data?.student?.moodleAccount?.email).toBeTruthy();
    // Cached for PERSONAL.
    gw.resetCalls();
    expect(await gw.query(StudentByNipDocument, { nip: s.nip! }, as(PERSONAL))).toEqual(full);
    expect(gw.calls()).toEqual({});

    // The same document and variables from `read` only, twice (an answer with errors is not cached either).
    for (const caller of [READER, READER, READER_TWO]) {
      gw.resetCalls();
      const refused = await gw.query(StudentByNipDocument, { nip: s.nip! }, as(caller));
      expect(upstreamCalls(gw)).toBeGreaterThan(0);
      expect(refused.data?.student).toMatchObject({ nip: s.nip, email: null, ine: null });
      expect(refused.data?.student?.moodleAccount?.email).toBeNull();
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual([
        'FORBIDDEN',
        'FORBIDDEN',
        'FORBIDDEN',
      ]);
      expect(refused.errors?.map((e) => e.path?.join('.')).sort()).toEqual([
        'student.email',
        'student.ine',
        'student.moodleAccount.email',
      ]);
      const text = JSON.stringify(refused);
      expect(text).not.toContain(s.email);
      expect(text).not.toContain(full.data!.student!.moodleAccount!.email!);
    }
  });

  it('answers with errors are not cached', async () => {
    gw.sims.moodle!.setFaults({ down: true });
    const failed = await gw.query(CoursesDocument, { department: 'GEII', first: 3 }, as(READER));
    expect(failed.errors?.length).toBeGreaterThan(0);
    gw.reset();
    const ok = await gw.query(CoursesDocument, { department: 'GEII', first: 3 }, as(READER));
    expect(ok.errors).toBeUndefined();
    expect(upstreamCalls(gw)).toBeGreaterThan(0);
    expect(ok.data?.courses?.edges.length).toBeGreaterThan(0);
  });

  it('mutations are never cached: the same mutation twice runs twice', async () => {
    const input = { shortName: 'RC-TWICE', fullName: 'Twice', department: 'RT' };
    const first = await gw.execute(CreateCourseDocument, { input }, as(WRITER));
    expectTypename(first.createCourse, 'CreateCourseSuccess');
    const second = await gw.execute(CreateCourseDocument, { input }, as(WRITER));
    expectTypename(second.createCourse, 'ConflictError');
  });

  it('introspection is never cached', async () => {
    const hits = await cacheCount(gw, 'hit');
    for (const q of [
      '{ __schema { queryType { name } } }',
      '{ __type(name: "Student") { name } }',
    ]) {
      for (let i = 0; i < 2; i++) {
        const res = await gw.query(q, {}, as(READER));
        expect(res.errors).toBeUndefined();
      }
    }
    expect(await cacheCount(gw, 'hit')).toBe(hits);
  });
});

describe('response cache: each write is visible on the next read', () => {
  /** Reads twice, checking that the second answer came from the cache: a stale entry exists to invalidate. */
  async function cached<T>(read: () => Promise<T>): Promise<T> {
    const first = await read();
    gw.resetCalls();
    expect(await read()).toEqual(first);
    expect(gw.calls()).toEqual({});
    return first;
  }

  /**
   * A write selecting as little as a client may. The plugin itself also drops the cached answers holding
   * objects that a mutation's own answer returns (and, loosely, any answer sharing a type with one of its
   * null fields); an answer that returns almost nothing leaves the write's visibility to the explicit
   * invalidation (MUTATION_CHANGES), which is what these tests check.
   */
  async function write<T extends Record<string, { __typename: string }>>(
    document: string,
    variables: Record<string, unknown>,
  ): Promise<T> {
    const res = await gw.query<T, Record<string, unknown>>(document, variables, as(WRITER));
    expect(res.errors).toBeUndefined();
    return res.data!;
  }

  it('createMoodleAccount, then enrol: a read-only client cached before sees the account, then the enrolment', async () => {
    const s = withoutAccount();
    const account = () =>
      gw.execute(StudentAccountDocument, { nip: s.nip! }, as(READER)).then((d) => d.student!);
    expect((await cached(account)).moodleAccount).toBeNull();

    const { createMoodleAccount } = await write<{
      createMoodleAccount: { __typename: string; account?: { username: string } };
    }>(
      `mutation ($nip: String!) { createMoodleAccount(nip: $nip) {
        __typename ... on CreateMoodleAccountSuccess { account { username } } } }`,
      { nip: s.nip },
    );
    expect(createMoodleAccount.__typename).toBe('CreateMoodleAccountSuccess');
    const after = await account();
    expect(after.moodleAccount).toEqual({
      id: anyOf(Number),
      username: createMoodleAccount.account!.username,
    });
    expect(after.enrolments).toEqual([]);

    // enrol: into an INFO course whose detail is cached too.
    const courses = await gw.execute(CoursesDocument, { department: 'INFO', first: 1 }, as(READER));
    const courseId = courses.courses!.edges[0]!.node.moodleId;
    const detail = () =>
      gw
        .execute(CourseDetailDocument, { id: courseId, first: 200 }, as(READER))
        .then((d) => d.course!);
    const before = await cached(detail);
    await cached(account);
    const departments = await cached(() => gw.query(DepartmentsDocument, {}, as(READER)));

    const { enrol } = await write<{ enrol: { __typename: string; enrolledCount?: number } }>(
      `mutation ($input: EnrolInput!) { enrol(input: $input) {
        __typename ... on EnrolSuccess { enrolledCount } } }`,
      { input: { courseId, nips: [s.nip] } },
    );
    expect(enrol).toEqual({ __typename: 'EnrolSuccess', enrolledCount: 1 });
    expect((await account()).enrolments).toEqual([
      { roles: ['student'], course: { moodleId: courseId, shortName: anyOf(String) } },
    ]);
    const now = await detail();
    expect(now.enrolments!.totalCount).toBe(before.enrolments!.totalCount + 1);
    expect(now.enrolments!.edges.map((e) => e.node.student?.nip)).toContain(s.nip);
    // Per type, not the whole cache: an answer holding none of enrol's types stays cached.
    gw.resetCalls();
    expect(await gw.query(DepartmentsDocument, {}, as(READER))).toEqual(departments);
    expect(gw.calls()).toEqual({});
  });

  it('createCourse: a search that found nothing, and the département list, both show the new course', async () => {
    const search = () =>
      gw.execute(CoursesDocument, { search: 'RCACHE' }, as(READER)).then((d) => d.courses!);
    const info = () =>
      gw
        .execute(CoursesDocument, { department: 'INFO', first: 200 }, as(READER))
        .then((d) => d.courses!);
    expect((await cached(search)).totalCount).toBe(0);
    const before = await cached(info);

    const { createCourse } = await write<{
      createCourse: { __typename: string; course?: { moodleId: number } };
    }>(
      `mutation ($input: CreateCourseInput!) { createCourse(input: $input) {
        __typename ... on CreateCourseSuccess { course { moodleId } } } }`,
      { input: { shortName: 'RCACHE-1', fullName: 'Cache test', department: 'INFO' } },
    );
    expect(createCourse.__typename).toBe('CreateCourseSuccess');
    const id = createCourse.course!.moodleId;
    expect((await search()).edges.map((e) => e.node.moodleId)).toEqual([id]);
    const after = await info();
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.edges.map((e) => e.node.moodleId)).toContain(id);
  });

  it('createDepartmentCategory: the cached département list shows the new category', async () => {
    const departments = () =>
      gw
        .execute(DepartmentsDocument, { includeHidden: true }, as(READER))
        .then((d) => d.departments!);
    const cj = (list: Awaited<ReturnType<typeof departments>>) =>
      list.find((d) => d.acronym === 'CJ')!;
    expect(cj(await cached(departments)).moodleCategoryId).toBeNull();

    const { createDepartmentCategory } = await write<{
      createDepartmentCategory: { __typename: string; moodleCategoryId?: number };
    }>(
      `mutation ($acronym: String!) { createDepartmentCategory(acronym: $acronym) {
        __typename ... on CreateDepartmentCategorySuccess { moodleCategoryId } } }`,
      { acronym: 'CJ' },
    );
    expect(createDepartmentCategory.__typename).toBe('CreateDepartmentCategorySuccess');
    expect(cj(await departments()).moodleCategoryId).toBe(
      createDepartmentCategory.moodleCategoryId,
    );
  });

  it('a failed write invalidates too (it may have changed an upstream); a dry-run sync does not', async () => {
    const departments = () =>
      gw.execute(DepartmentsDocument, {}, as(READER)).then((d) => d.departments!);
    await cached(departments);
    const { createDepartmentCategory } = await write<{
      createDepartmentCategory: { __typename: string };
    }>(
      `mutation ($acronym: String!) { createDepartmentCategory(acronym: $acronym) { __typename } }`,
      { acronym: 'INFO' },
    );
    expect(createDepartmentCategory.__typename).toBe('ConflictError');
    gw.resetCalls();
    await departments();
    expect(upstreamCalls(gw)).toBeGreaterThan(0);

    await cached(departments);
    const semester = gw.sims.university.semesters.find(
      (x) => x.sessionId === 'INFO-BUT-FI-S1-2026',
    )!;
    const plan = await gw.execute(
      SyncSemesterDocument,
      { input: { semesterId: semester.id } },
      as(WRITER),
    );
    expectTypename(plan.syncSemester, 'SyncSemesterSuccess');
    gw.resetCalls();
    await departments();
    expect(gw.calls()).toEqual({});
  });
});

describe('response cache: off', () => {
  it('RESPONSE_CACHE_TTL_MS=0: the same query twice reaches the upstreams twice', async () => {
    const off = await startTestGateway({
      students: 60,
      security: SECURITY,
      responseCacheTtlMs: 0,
      listCacheTtlMs: 0,
    });
    try {
      const first = await off.query(DepartmentsDocument, {}, as(READER));
      expect(first.errors).toBeUndefined();
      off.resetCalls();
      const second = await off.query(DepartmentsDocument, {}, as(READER));
      expect(second).toEqual(first);
      expect(upstreamCalls(off)).toBeGreaterThan(0);
      expect(await cacheCount(off, 'hit')).toBe(0);
      expect(await cacheCount(off, 'miss')).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('configuration: 30 s by default, 0 turns it off, negative values are refused', () => {
    expect(loadConfig({}).responseCacheTtlMs).toBe(30_000);
    expect(loadConfig({ RESPONSE_CACHE_TTL_MS: '0' }).responseCacheTtlMs).toBe(0);
    expect(() => loadConfig({ RESPONSE_CACHE_TTL_MS: '-1' })).toThrow(/RESPONSE_CACHE_TTL_MS/);
  });
});

describe('response cache: keys and invalidation targets', () => {
  it('the session is the sorted scope list, whoever holds it', () => {
    const a = cacheSessionOf({ name: 'a', scopes: new Set<Scope>(['read:personal', 'read']) });
    const b = cacheSessionOf({ name: 'b', scopes: new Set<Scope>(['read', 'read:personal']) });
    expect(a).toBe(b);
    expect(cacheSessionOf({ name: 'a', scopes: new Set<Scope>(['read']) })).not.toBe(a);
  });

  it('every mutation says what it changes, in type names the schema has; with their wrappers', () => {
    const mutations = Object.keys(schema.getMutationType()!.getFields()).sort();
    expect(Object.keys(MUTATION_CHANGES).sort()).toEqual(mutations);
    for (const names of Object.values(MUTATION_CHANGES))
      for (const name of names) expect(schema.getType(name), name).toBeDefined();
    const targets = invalidationTargets(schema);
    expect(targets(['Student'])).toEqual(
      expect.arrayContaining([
        'Student',
        'Node',
        'QueryStudentsConnection',
        'QueryStudentsConnectionEdge',
        'DepartmentStudentsConnection',
        'DepartmentStudentsConnectionEdge',
      ]) as unknown,
    );
    expect(targets(['Enrolment'])).toEqual(
      expect.arrayContaining(['CourseEnrolmentsConnectionEdge']) as unknown,
    );
    expect(typesChangedBy('syncSemester', { semesterId: 1, dryRun: true })).toEqual([]);
    expect(typesChangedBy('syncSemester', { semesterId: 1, dryRun: false })).toContain('Enrolment');
  });
});
