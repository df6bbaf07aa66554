import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * Hardening findings on input: every string argument that reaches an upstream is well-formed Unicode and
 * every query argument is checked (pattern, length, id range) before any upstream call.
 */
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ students: 50 });
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());
afterEach(() => vi.restoreAllMocks());

const CREATE_DEPARTMENT = `mutation ($input: CreateDepartmentInput!) {
  createDepartment(input: $input) {
    __typename
    ... on Error { message code }
    ... on ValidationError { fields { path message } }
  }
}`;

interface CreateDepartmentData {
  createDepartment: {
    __typename: string;
    code?: string;
    fields?: Array<{ path: string[]; message: string }>;
  } | null;
}

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

async function departmentExists(acronym: string): Promise<boolean> {
  const res = await gw.query<{ department: { acronym: string } | null }, { a: string }>(
    'query ($a: String!) { department(acronym: $a) { acronym } }',
    { a: acronym },
  );
  return res.data?.department != null;
}

describe('a lone surrogate crashes the Moodle form encoder after ScoDoc already accepted the write', () => {
  it('createDepartment with a lone surrogate in its name is a ValidationError, nothing sent upstream', async () => {
    for (const input of [
      { acronym: 'SURR1', name: 'Informatique \ud800 appliquée' },
      { acronym: 'SURR2', description: 'x\udfff' },
    ]) {
      gw.resetCalls();
      const res = await gw.query<CreateDepartmentData, { input: typeof input }>(CREATE_DEPARTMENT, {
        input,
      });
      expect(res.errors).toBeUndefined();
      expect(res.data?.createDepartment).toMatchObject({
        __typename: 'ValidationError',
        code: 'VALIDATION',
      });
      expect(gw.calls()).toEqual({});
      expect(await departmentExists(input.acronym)).toBe(false);
    }
  });

  it('other mutations refuse lone surrogates in their inputs before any call', async () => {
    const student = await gw.query<
      { createStudent: { __typename: string } | null },
      { input: Record<string, string> }
    >('mutation ($input: CreateStudentInput!) { createStudent(input: $input) { __typename } }', {
      input: { department: 'INFO', lastName: 'DUPONT\ud800', firstName: 'Jean', civility: 'M' },
    });
    expect(student.data?.createStudent).toMatchObject({ __typename: 'ValidationError' });
    const course = await gw.query<
      { createCourse: { __typename: string } | null },
      { input: Record<string, string> }
    >('mutation ($input: CreateCourseInput!) { createCourse(input: $input) { __typename } }', {
      input: { shortName: 'S\udc00', fullName: 'Full', department: 'INFO' },
    });
    expect(course.data?.createCourse).toMatchObject({ __typename: 'ValidationError' });
    expect(gw.calls()).toEqual({});
  });

  it('createDepartment undoes the ScoDoc département whatever fails after it, not only an upstream error', async () => {
    // A failure that is no UpstreamError, in the Moodle client after ScoDoc accepted the département: the
    // form encoder throwing (as it did on a lone surrogate).
    const encode = globalThis.encodeURIComponent;
    vi.spyOn(globalThis, 'encodeURIComponent').mockImplementation((value) => {
      if (String(value).includes('EncoderBreaks')) throw new URIError('URI malformed');
      return encode(value);
    });
    const res = await gw.query<CreateDepartmentData, { input: Record<string, string> }>(
      CREATE_DEPARTMENT,
      { input: { acronym: 'BOOM1', name: 'EncoderBreaks' } },
    );
    vi.restoreAllMocks();
    expect(res.status).toBeLessThan(500);
    expect(gw.calls()['POST /departement/<acronym>/delete']).toBe(1);
    expect(await departmentExists('BOOM1')).toBe(false);
  });

  it('deleteDepartment re-creates the Moodle category whatever makes the ScoDoc delete fail', async () => {
    const created = await gw.query<CreateDepartmentData, { input: Record<string, string> }>(
      CREATE_DEPARTMENT,
      { input: { acronym: 'BOOM2', name: 'Undo me' } },
    );
    expect(created.data?.createDepartment?.__typename).toBe('CreateDepartmentSuccess');
    // A failure that is no UpstreamError while the ScoDoc delete is being sent (its path being encoded).
    const encode = globalThis.encodeURIComponent;
    vi.spyOn(globalThis, 'encodeURIComponent').mockImplementation((value) => {
      if (new Error().stack?.includes('deleteDepartement')) throw new URIError('URI malformed');
      return encode(value);
    });
    gw.resetCalls();
    const res = await gw.query('mutation { deleteDepartment(acronym: "BOOM2") { __typename } }');
    vi.restoreAllMocks();
    expect(res.status).toBeLessThan(500);
    expect(gw.calls()).toMatchObject({
      core_course_delete_categories: 1,
      core_course_create_categories: 1,
    });
    const after = await gw.query<{ department: { moodleCategoryId: number | null } | null }, never>(
      '{ department(acronym: "BOOM2") { moodleCategoryId } }',
    );
    expect(after.data?.department?.moodleCategoryId).toEqual(expect.any(Number));
  });
});

describe('dot segments and ids', () => {
  const refused: Array<[string, string, Record<string, unknown>]> = [
    ['student(nip: "..")', 'query ($v: String) { student(nip: $v) { etudid } }', { v: '..' }],
    ['student(nip: ".")', 'query ($v: String) { student(nip: $v) { etudid } }', { v: '.' }],
    ['student(nip: "a/b")', 'query ($v: String) { student(nip: $v) { etudid } }', { v: 'a/b' }],
    [
      'student(nip) too long',
      'query ($v: String) { student(nip: $v) { etudid } }',
      { v: '1'.repeat(21) },
    ],
    ['student(ine: "..")', 'query ($v: String) { student(ine: $v) { etudid } }', { v: '..' }],
    [
      'student(ine) lone surrogate',
      'query ($v: String) { student(ine: $v) { etudid } }',
      { v: 'A\ud800' },
    ],
    ['student(etudid: -1)', 'query ($v: Int) { student(etudid: $v) { etudid } }', { v: -1 }],
    ['student(etudid: 0)', 'query ($v: Int) { student(etudid: $v) { etudid } }', { v: 0 }],
    ['semester(id: -1)', 'query ($v: Int!) { semester(id: $v) { title } }', { v: -1 }],
    ['course(id: 0)', 'query ($v: Int!) { course(id: $v) { shortName } }', { v: 0 }],
    [
      'department(acronym: "..")',
      'query ($v: String!) { department(acronym: $v) { name } }',
      { v: '..' },
    ],
    [
      'department(acronym) lone surrogate',
      'query ($v: String!) { department(acronym: $v) { name } }',
      { v: '\ud800' },
    ],
    [
      'students(department: "..")',
      'query ($v: String!) { students(department: $v) { totalCount } }',
      { v: '..' },
    ],
    [
      'students(search) too long',
      'query ($v: String) { students(department: "INFO", search: $v) { totalCount } }',
      { v: 'a'.repeat(101) },
    ],
    [
      'students(search) lone surrogate',
      'query ($v: String) { students(department: "INFO", search: $v) { totalCount } }',
      { v: 'Du\udc00' },
    ],
    [
      'semesters(department: "../x")',
      'query ($v: String) { semesters(department: $v) { title } }',
      { v: '../x' },
    ],
    [
      'courses(department: "..")',
      'query ($v: String) { courses(department: $v) { totalCount } }',
      { v: '..' },
    ],
    [
      'courses(search) too long',
      'query ($v: String) { courses(search: $v) { totalCount } }',
      { v: 'a'.repeat(101) },
    ],
    ...['NaN', 'Infinity', '-1', '1.5', '0', '1e3', ' 7', '0x10', '9007199254740993'].flatMap((n) =>
      ['Student', 'Semester', 'Course'].map((type): [string, string, Record<string, unknown>] => [
        `node(id: ${type}:${n})`,
        'query ($v: ID!) { node(id: $v) { id } }',
        { v: gid(type, n) },
      ]),
    ),
    [
      'node(id: Department:..)',
      'query ($v: ID!) { node(id: $v) { id } }',
      { v: gid('Department', '..') },
    ],
  ];

  it.each(refused)('%s: BAD_USER_INPUT, zero upstream calls', async (_name, query, variables) => {
    gw.resetCalls();
    const res = await gw.query(query, variables);
    expect(res.status).toBeLessThan(500);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(gw.calls()).toEqual({});
  });

  it('well-formed arguments still work (NIP noise tolerated, accented search, global ids)', async () => {
    const list = await gw.query<
      { students: { edges: Array<{ node: { id: string; nip: string | null } }> } },
      never
    >('{ students(department: "INFO", first: 1) { edges { node { id nip } } } }');
    const first = list.data!.students.edges[0]!.node;
    const byNip = await gw.query<{ student: { nip: string } | null }, { v: string }>(
      'query ($v: String) { student(nip: $v) { nip } }',
      { v: ` ${first.nip}.0 ` },
    );
    expect(byNip.data?.student?.nip).toBe(first.nip);
    const node = await gw.query<{ node: { id: string } | null }, { v: string }>(
      'query ($v: ID!) { node(id: $v) { id } }',
      { v: first.id },
    );
    expect(node.data?.node?.id).toBe(first.id);
    const search = await gw.query<{ students: { totalCount: number } }, never>(
      '{ students(department: "INFO", search: "é") { totalCount } }',
    );
    expect(search.errors).toBeUndefined();
  });
});
