import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDemoUniversity } from '../src/simulators/demo-data/generate';
import { startMoodleSimulator, type MoodleSimulator } from '../src/simulators/moodle/server';
import { UpstreamError } from '../src/upstreams/errors';
import { createMoodleClient, MoodleClient } from '../src/upstreams/moodle/client';
import { MoodleBatchError, MoodleError } from '../src/upstreams/moodle/errors';
import { chunkByBudget, countLeaves, encodeForm, FIXED_FIELDS } from '../src/upstreams/moodle/form';
import { HttpMoodleTransport } from '../src/upstreams/moodle/transport';

const TOKEN = 'moodle-s3cret-token-value';
const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/moodle/', import.meta.url));
const university = generateDemoUniversity({ today: '2026-11-23', students: 150 });

let sim: MoodleSimulator;
const clients: MoodleClient[] = [];
const transports: HttpMoodleTransport[] = [];
function client(
  opts: {
    budget?: number;
    url?: string;
    timeoutMs?: number;
    roleIds?: Record<string, number>;
  } = {},
) {
  // Its transport is closed with the others.
  return new MoodleClient(transport(opts), opts.budget ?? 4000, opts.roleIds);
}

/** The bare protocol, for calls no typed function makes. */
function transport(opts: { budget?: number; url?: string; timeoutMs?: number } = {}) {
  const t = new HttpMoodleTransport(
    {
      url: opts.url ?? sim.url,
      token: TOKEN,
      timeoutMs: opts.timeoutMs ?? 3000,
      connections: 4,
      maxParamsPerRequest: opts.budget ?? 4000,
    },
    // The policies (retries, breaker) are tested on their own: here every failure must reach the caller as is.
    { resilience: { retries: 0, breakerThreshold: 1_000 } },
  );
  transports.push(t);
  return t;
}

beforeAll(async () => {
  sim = await startMoodleSimulator({ university, token: TOKEN });
});
afterAll(async () => {
  await Promise.all([...clients, ...transports].map((c) => c.close()));
  await sim.close();
});
beforeEach(() => {
  sim.resetStats();
  sim.clearFaults();
});

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

/** The part of a recorded fixture (shared/fixtures/moodle) these tests read. */
interface RecordedCall {
  request: { form: Array<[string, string]> };
}

describe('form encoding', () => {
  it('encodes nested params exactly as the recorded requests were sent', () => {
    const forms = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => (JSON.parse(readFileSync(FIXTURES + f, 'utf8')) as RecordedCall).request.form);
    const sample = forms.find((f) => f.some(([k]) => k === 'users[1][username]'))!;
    const users = [0, 1].map((i) =>
      Object.fromEntries(
        sample
          .filter(([k]) => k.startsWith(`users[${i}]`))
          .map(([k, v]) => [/\[(\w+)\]$/.exec(k)![1]!, v]),
      ),
    );
    expect(encodeForm({ users })).toEqual(sample.filter(([k]) => k.startsWith('users[')));
    expect(encodeForm({ options: { ids: [10, 999999] } })).toEqual([
      ['options[ids][0]', '10'],
      ['options[ids][1]', '999999'],
    ]);
  });

  it('sends booleans as 1/0 and leaves undefined and null out', () => {
    expect(
      encodeForm({
        userid: 211,
        returnusercount: false,
        a: undefined,
        b: null,
        e: [{ suspend: true }],
      }),
    ).toEqual([
      ['userid', '211'],
      ['returnusercount', '0'],
      ['e[0][suspend]', '1'],
    ]);
    expect(() => encodeForm({ x: Number.NaN })).toThrow(/finite/);
  });

  it('chunks under the budget, counting the fixed fields', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ roleid: 5, userid: i, courseid: 10 }));
    const chunks = chunkByBudget(items, 100);
    expect(chunks.flat()).toEqual(items);
    for (const chunk of chunks) expect(countLeaves(chunk) + FIXED_FIELDS).toBeLessThanOrEqual(100);
    expect(chunks[0]).toHaveLength(32); // (100 - 3) / 3 leaves per enrolment
    expect(() => chunkByBudget([{ a: 1, b: 2, c: 3 }], 5)).toThrow(RangeError);
  });
});

describe('Moodle client against the simulator', () => {
  const someStudent = university.students.find(
    (s) => s.moodle === 'active' && s.moodleIdnumber === s.nip,
  )!;

  it('reads site info', async () => {
    const info = await client().getSiteInfo();
    expect(info.functions?.map((f) => f.name)).toContain('enrol_manual_enrol_users');
    expect(info.release).toMatch(/^5\.0/);
  });

  it('gets users by field in one call per chunk; soft-deleted users are returned as Moodle does', async () => {
    const c = client({ budget: 53 });
    const nips = university.students.filter((s) => s.moodleIdnumber).map((s) => s.moodleIdnumber!);
    const users = await c.getUsersByField('idnumber', nips);
    expect(users.length).toBeGreaterThan(100);
    // 50 values per request with a budget of 53 (3 fixed fields).
    expect(sim.stats().core_user_get_users_by_field).toBe(Math.ceil(nips.length / 50));
    expect(await c.getUsersByField('idnumber', [])).toEqual([]);
    expect((await c.getUsersByField('idnumber', [someStudent.nip!]))[0]).toMatchObject({
      idnumber: someStudent.nip,
      email: someStudent.email,
    });
  });

  it('creates, updates and deletes users; update warnings reach the caller', async () => {
    const c = client();
    const [created] = await c.createUsers([
      {
        username: 'nouvel.etudiant',
        firstname: 'Nouvel',
        lastname: 'Étudiant',
        email: 'nouvel@etu.univ-demo.fr',
        idnumber: '99887766',
        auth: 'ldap',
      },
    ]);
    expect(created!.username).toBe('nouvel.etudiant');
    const warnings = await c.updateUsers([
      { id: created!.id, suspended: true },
      { id: 999999, firstname: 'Nobody' },
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({ warningcode: 'invaliduserid', itemid: 999999 }),
    ]);
    expect((await c.getUsersByField('id', [String(created!.id)]))[0]!.suspended).toBe(true);
    await c.deleteUsers([created!.id]);
    const after = await c.getUsersByField('id', [String(created!.id)]);
    expect(after[0]!.username).toMatch(/^nouvel@etu\.univ-demo\.fr\.\d+$/);
  });

  it('a rejected batch is a MoodleError with the errorcode kept and no debuginfo in the message', async () => {
    const c = client();
    const err = await failure(
      c.createUsers([
        { username: 'admin', firstname: 'A', lastname: 'B', email: 'a@b.fr', auth: 'ldap' },
      ]),
    );
    expect(err).toBeInstanceOf(MoodleError);
    expect(err.upstreamCode).toBe('invalidparameter');
    expect(err.message).toBe('Moodle core_user_create_users: Invalid parameter value detected');
    expect(err.detail).toBe('Username already exists: admin');
    expect(JSON.stringify(err)).not.toContain('already exists');
  });

  it('an all-or-nothing failure in a later chunk says how many items earlier chunks applied', async () => {
    const c = client();
    const course = [...sim.store.courses.values()].find(
      (x) => x.idnumber === 'INFO-BUT-FI-S1-2026',
    )!;
    const users = [...sim.store.users.values()].filter((u) => !u.deleted).slice(3, 5);
    const enrolments = [
      ...users.map((u) => ({ roleid: 5, userid: u.id, courseid: course.id })),
      { roleid: 5, userid: 999999, courseid: course.id },
    ];
    // A budget of one enrolment (3 values) per request: the third request fails after two were applied.
    const one = client({ budget: 3 + 3 });
    const err = await failure(one.enrolUsers(enrolments));
    expect(err).toBeInstanceOf(MoodleBatchError);
    expect((err as MoodleBatchError).appliedCount).toBe(2);
    expect(err.upstreamCode).toBe('invaliduser');
    expect(sim.stats().enrol_manual_enrol_users).toBe(3);
    await c.unenrolUsers(users.map((u) => ({ userid: u.id, courseid: course.id })));
  });

  it('categories and courses: create, read by field and by ids (with the crash fallback), delete', async () => {
    const c = client();
    const [cat] = await c.createCategories([{ name: 'Qualité', idnumber: 'QLIO', parent: 0 }]);
    expect((await c.getCategories({ idnumber: 'QLIO' }, { addsubcategories: false }))[0]!.id).toBe(
      cat!.id,
    );
    expect(
      (await failure(c.createCategories([{ name: 'Dup', idnumber: 'QLIO' }]))).upstreamCode,
    ).toBe('categoryidnumbertaken');
    const created = await c.createCourses([
      {
        fullname: 'Qualité S1',
        shortname: 'QLIO-S1',
        categoryid: cat!.id,
        idnumber: 'QLIO-BUT-FI-S1-2026',
      },
    ]);
    expect(
      (
        await failure(
          c.createCourses([{ fullname: 'x', shortname: 'QLIO-S1', categoryid: cat!.id }]),
        )
      ).upstreamCode,
    ).toBe('shortnametaken');
    expect((await c.getCoursesByField('idnumber', 'QLIO-BUT-FI-S1-2026')).map((x) => x.id)).toEqual(
      [created[0]!.id],
    );
    expect((await c.getCoursesByField('category', String(cat!.id))).length).toBe(1);

    sim.resetStats();
    expect((await c.getCoursesByIds([created[0]!.id])).map((x) => x.shortname)).toEqual([
      'QLIO-S1',
    ]);
    expect(sim.stats()).toEqual({ core_course_get_courses_by_field: 1 });
    sim.resetStats();
    expect((await c.getCoursesByIds([created[0]!.id, 999999])).map((x) => x.id)).toEqual([
      created[0]!.id,
    ]);
    expect(sim.stats()).toEqual({
      core_course_get_courses_by_field: 1,
      core_course_get_courses: 1,
    });

    expect(await c.deleteCourses([created[0]!.id, 999999])).toEqual([
      expect.objectContaining({ warningcode: 'unknowncourseidnumber', itemid: 999999 }),
    ]);
    await c.deleteCategories([{ id: cat!.id, recursive: true }]);
    expect(await c.getCategories({ idnumber: 'QLIO' })).toEqual([]);
  });

  it('enrolled users (paged, with roles), users courses, enrol and unenrol (idempotent)', async () => {
    const c = client();
    const course = [...sim.store.courses.values()].find(
      (x) => x.idnumber === 'INFO-BUT-FI-S1-2026',
    )!;
    const all = await c.getEnrolledUsers(course.id, {
      userfields: ['id', 'username', 'idnumber', 'roles'],
    });
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((u) => u.id)).toEqual([...all.map((u) => u.id)].sort((a, b) => a - b));
    const page = await c.getEnrolledUsers(course.id, {
      userfields: ['id'],
      limitfrom: 2,
      limitnumber: 3,
    });
    expect(page.map((u) => u.id)).toEqual(all.slice(2, 5).map((u) => u.id));
    expect(all.some((u) => u.roles?.some((r) => r.shortname === 'editingteacher'))).toBe(true);

    const courses = await c.getUsersCourses(all[0]!.id);
    expect(courses.map((x) => x.id)).toContain(course.id);
    expect(await c.getUsersCourses(999999)).toEqual([]);

    const newcomer = [...sim.store.users.values()].find(
      (u) => !u.deleted && u.username === 'jury.externe',
    )!;
    await c.enrolUsers([{ roleid: 5, userid: newcomer.id, courseid: course.id }]);
    await c.enrolUsers([{ roleid: 5, userid: newcomer.id, courseid: course.id }]);
    expect(
      (await c.getEnrolledUsers(course.id, { userfields: ['id'] })).filter(
        (u) => u.id === newcomer.id,
      ),
    ).toHaveLength(1);
    await c.unenrolUsers([{ userid: newcomer.id, courseid: course.id }]);
    await c.unenrolUsers([{ userid: newcomer.id, courseid: course.id }]);
    expect(
      (await c.getEnrolledUsers(course.id, { userfields: ['id'] })).some(
        (u) => u.id === newcomer.id,
      ),
    ).toBe(false);
    expect((await failure(c.getEnrolledUsers(999999))).code).toBe('NOT_FOUND');
  });

  it('finds role ids from enrolled users, or from configuration, never from a constant', async () => {
    const course = [...sim.store.courses.values()].find(
      (x) => x.idnumber === 'INFO-BUT-FI-S1-2026',
    )!;
    const c = client();
    expect(await c.roleIdByShortname('editingteacher', [course.id])).toBe(3);
    expect(await c.roleIdByShortname('student', [course.id])).toBe(5);
    sim.resetStats();
    expect(await c.roleIdByShortname('student', [course.id])).toBe(5);
    expect(sim.stats()).toEqual({});
    expect((await failure(c.roleIdByShortname('manager', [course.id]))).code).toBe('NOT_FOUND');
    expect(await client({ roleIds: { manager: 1 } }).roleIdByShortname('manager')).toBe(1);
  });
});

describe('Moodle failures', () => {
  let odd: Server;
  let oddUrl: string;
  let mode: 'html' | 'status403' | 'status503' | 'wrongShape' = 'html';
  beforeAll(async () => {
    odd = createServer((_req, res) => {
      if (mode === 'status403' || mode === 'status503') {
        res.writeHead(mode === 'status403' ? 403 : 503, { 'content-type': 'text/html' });
        res.end('<h1>Maintenance</h1>');
      } else if (mode === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>Site upgrade pending</html>');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ not: 'a site info' }));
      }
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', () => r()));
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => odd.close(() => r())));

  it('non-JSON, 403 and 503 are "Moodle unavailable"; a wrong shape is BAD_REPLY', async () => {
    const c = client({ url: oddUrl });
    for (const m of ['html', 'status403', 'status503'] as const) {
      mode = m;
      const err = await failure(c.getSiteInfo());
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toMatch(/Moodle unavailable/);
    }
    mode = 'wrongShape';
    expect((await failure(c.getSiteInfo())).code).toBe('BAD_REPLY');
  });

  it('an invalid token is UNAUTHORIZED; down, 5xx, malformed and slow are handled', async () => {
    const bad = createMoodleClient(
      {
        url: sim.url,
        token: 'wrong-token-123',
        timeoutMs: 2000,
        connections: 1,
        maxParamsPerRequest: 4000,
      },
      { resilience: { retries: 0 } },
    );
    clients.push(bad);
    expect((await failure(bad.getSiteInfo())).code).toBe('UNAUTHORIZED');
    const c = client({ timeoutMs: 300 });
    sim.setFaults({ down: true });
    expect((await failure(c.getSiteInfo())).code).toBe('UNAVAILABLE');
    sim.setFaults({ down: false, errorRate: 1 });
    expect((await failure(c.getSiteInfo())).code).toBe('UNAVAILABLE');
    sim.setFaults({ errorRate: 0, malformed: true });
    expect((await failure(c.getSiteInfo())).code).toBe('UNAVAILABLE');
    sim.setFaults({ malformed: false, latencyMs: 1500 });
    expect((await failure(c.getSiteInfo())).code).toBe('TIMEOUT');
  });

  it('the token never appears in an error, whatever the failure', async () => {
    const c = client({ timeoutMs: 300 });
    const raw = transport({ timeoutMs: 300 });
    const errors: UpstreamError[] = [];
    errors.push(await failure(raw.call('core_fx_no_such_function', {}, z.unknown())));
    sim.setFaults({ down: true });
    errors.push(await failure(c.getSiteInfo()));
    for (const e of errors) {
      for (const text of [e.message, JSON.stringify(e), String(e.detail ?? ''), e.stack ?? ''])
        expect(text).not.toContain(TOKEN);
      expect(e.message).not.toContain(sim.url);
    }
  });

  it('refuses to send more values than the budget: Moodle would silently drop them', async () => {
    const c = transport({ budget: 10 });
    await expect(
      c.call(
        'core_user_get_users_by_field',
        { field: 'id', values: Array.from({ length: 20 }, (_, i) => String(i)) },
        z.unknown(),
      ),
    ).rejects.toThrow(RangeError);
  });
});

describe('Moodle simulator behaviours beyond the fixtures', () => {
  it('drops form fields past max_input_vars silently, as PHP does', async () => {
    const small = await startMoodleSimulator({ university, token: TOKEN, maxInputVars: 10 });
    try {
      const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
      const body = new URLSearchParams([
        ['wstoken', TOKEN],
        ['wsfunction', 'core_user_get_users_by_field'],
        ['moodlewsrestformat', 'json'],
        ['field', 'username'],
        ...values.map((v, i) => [`values[${i}]`, v] as [string, string]),
      ]);
      const res = await fetch(`${small.url}/webservice/rest/server.php`, { method: 'POST', body });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([]);
      // Without the first fields, the call fails on what was cut, with no hint of truncation.
      const cut = new URLSearchParams([
        ...values.map((v, i) => [`values[${i}]`, v] as [string, string]),
        ['wstoken', TOKEN],
        ['wsfunction', 'core_webservice_get_site_info'],
        ['moodlewsrestformat', 'json'],
      ]);
      const res2 = await fetch(`${small.url}/webservice/rest/server.php`, {
        method: 'POST',
        body: cut,
      });
      expect(await res2.text()).toContain('invalidtoken');
    } finally {
      await small.close();
    }
  });

  it('seeds one account per person, soft-deleted ones scrambled, none for students without one', () => {
    const store = sim.store;
    const withAccount = university.students.find(
      (s) => s.moodle === 'active' && s.moodleIdnumber === s.nip,
    )!;
    expect([...store.users.values()].filter((u) => u.idnumber === withAccount.nip)).toHaveLength(1);
    const deleted = [...store.users.values()].filter((u) => u.deleted);
    expect(deleted.length).toBeGreaterThan(0);
    for (const u of deleted) expect(u.email).toMatch(/^[0-9a-f]{32}$/);
    const without = university.students.find((s) => s.moodle === 'none')!;
    expect([...store.users.values()].some((u) => u.email === without.email)).toBe(false);
  });
});

describe('outgoing parameters', () => {
  it('a bad call is refused before anything is sent', async () => {
    const c = client();
    sim.resetStats();
    await expect(
      c.createUsers([{ username: 'Upper.Case', firstname: 'A', lastname: 'B', email: 'a@b.fr' }]),
    ).rejects.toThrow(/users?.*username|0\.username/);
    await expect(c.enrolUsers([{ roleid: 5, userid: -1, courseid: 2 }])).rejects.toThrow(/userid/);
    await expect(
      c.createCourses([{ fullname: ' ', shortname: 'x', categoryid: 1 }]),
    ).rejects.toThrow(/fullname/);
    expect(sim.stats()).toEqual({});
  });
});
