import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDemoUniversity } from '../src/simulators/demo-data/generate';
import type { DemoUniversity } from '../src/simulators/demo-data/types';
import { startScodocSimulator, type ScodocSimulator } from '../src/simulators/scodoc/server';

// The ScoDoc simulator over real HTTP, for what ../shared/reference/scodoc-evidence.md says real ScoDoc does:
// groups and partitions, the one-value etat filter, the formsemestre shape, a mixed-case département, HTML
// 404 for an unknown route, standard-base64 tokens and ScoDoc's 401 body, withheld personal data.

const TODAY = '2026-11-23';
const PASSWORD = 'sim-test-pw';
const university = generateDemoUniversity({ today: TODAY, students: 200 });
let clock = Date.parse(`${TODAY}T10:00:00Z`);
const now = () => clock;

let sim: ScodocSimulator;
let token: string;

beforeAll(async () => {
  sim = await startScodocSimulator({ university, password: PASSWORD, now });
  token = await newToken();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.setPersonalData(true);
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function postToken(authorization: string, base = `${sim.url}/ScoDoc/api`) {
  return fetch(`${base}/tokens`, { method: 'POST', headers: { authorization } });
}

async function newToken(): Promise<string> {
  const res = await postToken(basic('demo', PASSWORD));
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function call(path: string, opts: { dept?: string; bearer?: string } = {}) {
  const base = opts.dept ? `${sim.url}/ScoDoc/${opts.dept}/api` : `${sim.url}/ScoDoc/api`;
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${opts.bearer ?? token}` } });
}

async function getJson<T = unknown>(path: string, opts: { dept?: string } = {}): Promise<T> {
  const res = await call(path, opts);
  expect(res.status, `GET ${path}`).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  return (await res.json()) as T;
}

interface GroupJson {
  id: number;
  partition_id: number;
  group_name: string;
  numero: number;
}
interface PartitionJson {
  id: number;
  formsemestre_id: number;
  partition_name: string;
  numero: number;
  bul_show_rank: boolean;
  show_in_lists: boolean;
  groups_editable: boolean;
  groups: Record<string, GroupJson>;
}
interface EtudGroup {
  id: number;
  group_id: number;
  group_name: string;
  partition_id: number;
  partition_name: string;
  numero: number;
}
interface EtudRow {
  id: number;
  nom: string;
  groups?: EtudGroup[];
  [key: string]: unknown;
}
interface SemJson {
  id: number;
  session_id: string;
  semestre_id: number;
  titre: string;
  titre_formation: string;
  formation: Record<string, unknown>;
  parcours: Array<{ id: number; code: string; libelle: string }>;
  date_debut: string;
  date_debut_iso: string;
  annee_scolaire: number;
  etat: boolean;
}

const semOf = (sessionId: string) => university.semesters.find((s) => s.sessionId === sessionId)!;
const regsOf = (semId: number) =>
  university.registrations.filter((r) => r.formsemestreId === semId);
const infoS1 = semOf('INFO-BUT-FI-S1-2026');
const infoS3 = semOf('INFO-BUT-FI-S3-2026');
const NOT_FOUND_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your ' +
  'spelling and try again.</p>\n';
const UNAUTHORIZED = { error: 'Unauthorized', message: 'Non autorise (logic)' };

/** The generated university without what the groups and the Chimie département added. */
function withoutAdditions(u: DemoUniversity) {
  const late = new Set(u.departments.filter((d) => d.acronym === 'Chimie').map((d) => d.id));
  const lateEtud = new Set(u.students.filter((s) => late.has(s.deptId)).map((s) => s.etudid));
  const lateSem = new Set(u.semesters.filter((s) => late.has(s.deptId)).map((s) => s.id));
  const {
    parcours: _parcours,
    partitions: _partitions,
    groups: _groups,
    groupMembers: _members,
    ...rest
  } = u;
  return {
    ...rest,
    departments: u.departments.filter((d) => !late.has(d.id)),
    formations: u.formations.filter((f) => !late.has(f.deptId)),
    semesters: u.semesters.filter((s) => !late.has(s.deptId)),
    students: u.students.filter((s) => !late.has(s.deptId)),
    registrations: u.registrations.filter((r) => !lateEtud.has(r.etudid)),
    moodleOnlyUsers: u.moodleOnlyUsers.filter((m) => !m.idnumber?.startsWith('ENS-Chimie-')),
    enrolments: u.enrolments.filter(
      (e) => e.formsemestreId === undefined || !lateSem.has(e.formsemestreId),
    ),
  };
}

describe('demo data: groups and the Chimie département', () => {
  it('leaves every value generated before them as it was', () => {
    // sha256 of the JSON of generateDemoUniversity({seed 2026, 1000 students, today 2026-11-23}) as it was
    // before groups and Chimie were added: they come from separate random streams, after every other draw.
    const u = generateDemoUniversity({ seed: 2026, students: 1000, today: TODAY });
    expect(
      createHash('sha256')
        .update(JSON.stringify(withoutAdditions(u)))
        .digest('hex'),
    ).toBe('29b092f9c1765d57f7ef4e93c7d519504cb33997cefbb19dfde23bb0e143d9d0');
    expect(generateDemoUniversity({ seed: 2026, students: 1000, today: TODAY })).toEqual(u);
  });

  it('gives every formsemestre TD, TP and (from S3 on) Parcours partitions, one group each per student', () => {
    const u = generateDemoUniversity({ seed: 2026, students: 1000, today: TODAY });
    expect(new Set(u.partitions.map((p) => p.id)).size).toBe(u.partitions.length);
    expect(new Set(u.groups.map((g) => g.id)).size).toBe(u.groups.length);
    const groupById = new Map(u.groups.map((g) => [g.id, g]));
    let sawTdC = false;
    for (const sem of u.semesters) {
      const parts = u.partitions.filter((p) => p.formsemestreId === sem.id);
      const names = (pid: number) =>
        u.groups.filter((g) => g.partitionId === pid).map((g) => g.name);
      const regs = u.registrations.filter((r) => r.formsemestreId === sem.id);
      const td = parts.find((p) => p.name === 'TD')!;
      const tp = parts.find((p) => p.name === 'TP')!;
      const letters = regs.length > 60 ? ['A', 'B', 'C'] : ['A', 'B'];
      sawTdC ||= letters.length === 3;
      expect(names(td.id)).toEqual(letters.map((l) => `TD ${l}`));
      expect(names(tp.id)).toEqual(letters.flatMap((l) => [`TP ${l}1`, `TP ${l}2`]));
      const parcours = u.parcours.filter((c) => c.deptId === sem.deptId);
      if (sem.semestreId >= 3) {
        const pp = parts.find((p) => p.name === 'Parcours')!;
        expect(names(pp.id)).toEqual(parcours.map((c) => `Parcours ${c.code} - ${c.libelle}`));
      }
      expect(parts.map((p) => p.name)).toEqual(
        sem.semestreId >= 3 ? ['TD', 'TP', 'Parcours'] : ['TD', 'TP'],
      );
      for (const r of regs) {
        const mine = u.groupMembers
          .filter((m) => m.etudid === r.etudid)
          .map((m) => groupById.get(m.groupId)!)
          .filter((g) => parts.some((p) => p.id === g.partitionId));
        expect(mine.map((g) => g.partitionId).sort()).toEqual(parts.map((p) => p.id).sort());
        const myTd = mine.find((g) => g.partitionId === td.id)!.name.slice(3);
        expect(mine.find((g) => g.partitionId === tp.id)!.name).toMatch(
          new RegExp(`^TP ${myTd}[12]$`),
        );
      }
    }
    expect(sawTdC).toBe(true);
    expect(
      u.parcours.filter((c) => c.deptId === 1).map((c) => `Parcours ${c.code} - ${c.libelle}`),
    ).toContain("Parcours A - Réalisation d'applications");
  });

  it('adds Chimie: mixed-case acronym, upper-cased session ids and Moodle category idnumber', () => {
    const u = generateDemoUniversity({ seed: 2026, students: 1000, today: TODAY });
    expect(u.departments.map((d) => d.acronym)).toEqual([
      'INFO',
      'GEII',
      'RT',
      'MMI',
      'CJ',
      'Chimie',
    ]);
    const chimie = u.departments.at(-1)!;
    expect(chimie).toMatchObject({
      id: 6,
      name: 'Chimie',
      hasMoodleCategory: true,
      moodleCategoryIdnumber: 'CHIMIE',
    });
    expect(u.students.filter((s) => s.deptId === chimie.id)).toHaveLength(30);
    const sessions = u.semesters.filter((s) => s.deptId === chimie.id).map((s) => s.sessionId);
    expect(sessions).toContain('CHIMIE-BUT-FI-S1-2026');
    expect(sessions.every((id) => /^CHIMIE-BUT-FI-S[1-6]-20\d\d$/.test(id))).toBe(true);
    expect(new Set(u.students.map((s) => s.etudid)).size).toBe(u.students.length);
    expect(new Set(u.semesters.map((s) => s.id)).size).toBe(u.semesters.length);
  });
});

describe('partitions and groups over HTTP', () => {
  it('GET /formsemestre/<id>/partitions: a dict keyed by partition id, groups keyed by group id', async () => {
    const parts = await getJson<Record<string, PartitionJson>>(
      `/formsemestre/${infoS3.id}/partitions`,
    );
    const list = Object.values(parts);
    expect(list.map((p) => p.partition_name)).toEqual(['TD', 'TP', 'Parcours']);
    for (const [key, p] of Object.entries(parts)) {
      expect(key).toBe(String(p.id));
      expect(p).toMatchObject({
        formsemestre_id: infoS3.id,
        bul_show_rank: false,
        show_in_lists: true,
        groups_editable: true,
      });
      for (const [gkey, g] of Object.entries(p.groups)) {
        expect(gkey).toBe(String(g.id));
        expect(Object.keys(g).sort()).toEqual(['group_name', 'id', 'numero', 'partition_id']);
        expect(g.partition_id).toBe(p.id);
      }
    }
    expect(list.some((p) => p.partition_name === null)).toBe(false);
    expect(Object.values(list[2]!.groups).map((g) => g.group_name)).toContain(
      "Parcours A - Réalisation d'applications",
    );
    const s1 = await getJson<Record<string, PartitionJson>>(
      `/formsemestre/${infoS1.id}/partitions`,
    );
    expect(Object.values(s1).map((p) => p.partition_name)).toEqual(['TD', 'TP']);
    // The same on the département-scoped API; another département's formsemestre is a JSON 404.
    expect(await getJson(`/formsemestre/${infoS3.id}/partitions`, { dept: 'INFO' })).toEqual(parts);
    const other = await call(`/formsemestre/${infoS3.id}/partitions`, { dept: 'GEII' });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: 'Not Found' });
    expect((await call('/formsemestre/999999/partitions')).status).toBe(404);
  });

  it('GET /partition/<id> is one partition with its groups; a missing one is a JSON 404', async () => {
    const parts = await getJson<Record<string, PartitionJson>>(
      `/formsemestre/${infoS3.id}/partitions`,
    );
    const tp = Object.values(parts).find((p) => p.partition_name === 'TP')!;
    expect(await getJson(`/partition/${tp.id}`)).toEqual(tp);
    expect(await getJson(`/partition/${tp.id}`, { dept: 'INFO' })).toEqual(tp);
    for (const res of [
      await call('/partition/999999'),
      await call(`/partition/${tp.id}`, { dept: 'RT' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toMatchObject({ error: 'Not Found', status: 404 });
    }
  });

  it('GET /group/<id>/etudiants[/query?etat=]: the group’s students, short form', async () => {
    const parts = await getJson<Record<string, PartitionJson>>(
      `/formsemestre/${infoS1.id}/partitions`,
    );
    const td = Object.values(parts).find((p) => p.partition_name === 'TD')!;
    const roster = await getJson<EtudRow[]>(`/formsemestre/${infoS1.id}/etudiants`);
    let total = 0;
    for (const g of Object.values(td.groups)) {
      const members = await getJson<EtudRow[]>(`/group/${g.id}/etudiants`);
      total += members.length;
      expect(members.length).toBeGreaterThan(0);
      for (const m of members) {
        expect(m).toHaveProperty('sort_key');
        expect(m).not.toHaveProperty('email');
        const row = roster.find((r) => r.id === m.id)!;
        expect(row.groups!.map((x) => x.group_id)).toContain(g.id);
      }
      const byState = await Promise.all(
        ['I', 'D', 'DEF'].map((etat) =>
          getJson<EtudRow[]>(`/group/${g.id}/etudiants/query?etat=${etat}`),
        ),
      );
      expect(byState.reduce((n, l) => n + l.length, 0)).toBe(members.length);
      expect(await getJson(`/group/${g.id}/etudiants/query?etat=D,DEF`)).toEqual([]);
    }
    expect(total).toBe(roster.length);
    const missing = await call('/group/999999/etudiants');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'Not Found' });
    const g = Object.values(td.groups)[0]!;
    expect((await call(`/group/${g.id}/etudiants`, { dept: 'MMI' })).status).toBe(404);
    expect((await getJson<EtudRow[]>(`/group/${g.id}/etudiants`, { dept: 'INFO' })).length).toBe(
      (await getJson<EtudRow[]>(`/group/${g.id}/etudiants`)).length,
    );
  });

  it('roster rows of /formsemestre/<id>/etudiants[/long][/query] carry the student’s groups', async () => {
    const expected = regsOf(infoS3.id).length;
    for (const path of [
      '/etudiants',
      '/etudiants/long',
      '/etudiants/query',
      '/etudiants/long/query',
    ]) {
      const rows = await getJson<EtudRow[]>(`/formsemestre/${infoS3.id}${path}`);
      expect(rows).toHaveLength(expected);
      for (const row of rows) {
        expect(row.groups!.map((g) => g.partition_name)).toEqual(['TD', 'TP', 'Parcours']);
        for (const g of row.groups!) {
          expect(Object.keys(g).sort()).toEqual([
            'group_id',
            'group_name',
            'id',
            'numero',
            'partition_id',
            'partition_name',
          ]);
          expect(g.id).toBe(g.group_id);
        }
        const [td, tp] = row.groups!;
        expect(tp!.group_name.startsWith(`TP ${td!.group_name.slice(3)}`)).toBe(true);
      }
    }
  });
});

describe('the etat filter takes one value', () => {
  it('I, D and DEF partition the roster; "D,DEF" and unknown values match nobody', async () => {
    // A formsemestre with leavers of both kinds, so that "D,DEF" would find someone if it were a list.
    const sem = university.semesters.find((s) =>
      ['D', 'DEF'].every((etat) => regsOf(s.id).some((r) => r.etat === etat)),
    )!;
    const all = await getJson<EtudRow[]>(`/formsemestre/${sem.id}/etudiants`);
    let sum = 0;
    for (const etat of ['I', 'D', 'DEF'] as const) {
      for (const long of ['', '/long']) {
        const rows = await getJson<EtudRow[]>(
          `/formsemestre/${sem.id}/etudiants${long}/query?etat=${etat}`,
        );
        expect(rows).toHaveLength(regsOf(sem.id).filter((r) => r.etat === etat).length);
        if (long === '') sum += rows.length;
      }
    }
    expect(sum).toBe(all.length);
    for (const etat of ['D,DEF', 'I,D,DEF', 'X', 'i', ''])
      for (const long of ['', '/long'])
        expect(
          await getJson(
            `/formsemestre/${sem.id}/etudiants${long}/query?etat=${encodeURIComponent(etat)}`,
          ),
        ).toEqual([]);
    expect(await getJson<EtudRow[]>(`/formsemestre/${sem.id}/etudiants/query`)).toHaveLength(
      all.length,
    );
  });
});

describe('formsemestre replies', () => {
  const checkSem = (s: SemJson) => {
    const demo = university.semesters.find((x) => x.id === s.id)!;
    const formation = university.formations.find((f) => f.id === demo.formationId)!;
    expect(s.formation).toEqual({
      id: formation.id,
      acronyme: formation.acronyme,
      titre: formation.titre,
      titre_officiel: formation.titreOfficiel,
      formation_code: formation.formationCode,
      version: formation.version,
      dept_id: formation.deptId,
    });
    expect(s.titre_formation).toBe(formation.acronyme);
    expect(s.titre).toBe(demo.titre);
    const parcours = university.parcours
      .filter((c) => c.deptId === demo.deptId)
      .map((c) => ({ id: c.id, code: c.code, libelle: c.libelle }));
    expect(s.parcours).toEqual(demo.semestreId >= 3 ? parcours : []);
    const [y, m, d] = demo.dateDebut.split('-');
    expect(s.date_debut).toBe(`${d}/${m}/${y}`);
    expect(s.date_debut_iso).toBe(demo.dateDebut);
    expect(s.annee_scolaire).toBe(demo.anneeScolaire);
    expect(s.etat).toBe(demo.etat);
  };

  it('carry formation, the short titre_formation and the parcours on every route', async () => {
    const s3 = await getJson<SemJson>(`/formsemestre/${infoS3.id}`);
    expect(s3).toMatchObject({
      titre_formation: 'BUT INFO',
      formation: { acronyme: 'BUT INFO', titre: 'BUT Informatique' },
      date_debut: '01/09/2026',
    });
    expect(s3.parcours.map((p) => p.code)).toEqual(['A', 'B', 'C', 'D']);
    checkSem(s3);
    const s1 = await getJson<SemJson>(`/formsemestre/${infoS1.id}`);
    expect(s1.parcours).toEqual([]);
    checkSem(s1);
    const mmi = await getJson<SemJson[]>('/departement/MMI/formsemestres_courants');
    expect(mmi.length).toBeGreaterThan(0);
    expect(new Set(mmi.map((s) => s.titre_formation))).toEqual(new Set(['BUT MMI']));
    const lists = [
      mmi,
      await getJson<SemJson[]>('/formsemestres/query?annee_scolaire=2025'),
      await getJson<SemJson[]>(`/etudiant/etudid/${regsOf(infoS3.id)[0]!.etudid}/formsemestres`),
      await getJson<SemJson[]>('/formsemestres/query', { dept: 'RT' }),
    ];
    for (const list of lists) {
      expect(list.length).toBeGreaterThan(0);
      list.forEach(checkSem);
    }
  });
});

describe('the mixed-case département Chimie', () => {
  it('is listed and found by its exact acronym, in URLs too; other cases are a JSON 404', async () => {
    const depts = await getJson<Array<{ acronym: string }>>('/departements');
    expect(depts.map((d) => d.acronym)).toContain('Chimie');
    expect(await getJson('/departement/Chimie')).toMatchObject({ id: 6, acronym: 'Chimie' });
    expect(await getJson('/departements', { dept: 'Chimie' })).toEqual([
      expect.objectContaining({ acronym: 'Chimie' }),
    ]);
    const sems = await getJson<SemJson[]>('/formsemestres/query?dept_acronym=Chimie');
    expect(sems.map((s) => s.session_id)).toContain('CHIMIE-BUT-FI-S1-2026');
    expect(sems.every((s) => s.session_id.startsWith('CHIMIE-BUT-'))).toBe(true);
    const students = await getJson<EtudRow[]>('/departement/Chimie/etudiants');
    expect(students.length).toBe(university.students.filter((s) => s.deptId === 6).length);
    for (const res of [
      await call('/departement/CHIMIE'),
      await call('/departement/chimie'),
      await call('/departements', { dept: 'CHIMIE' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
    }
    // The token route is global: a département-scoped URL still hands one out.
    expect((await postToken(basic('demo', PASSWORD), `${sim.url}/ScoDoc/Chimie/api`)).status).toBe(
      200,
    );
  });
});

describe('unknown route is not a missing object', () => {
  it('a path that is no route answers Flask’s HTML 404, with or without a token', async () => {
    for (const [path, dept] of [
      ['/etudiants/courant', undefined], // renamed to /etudiants/courants
      ['/departements/INFO/semestres_courants', undefined],
      ['/formsemestre/abc', undefined], // ids are <int:...>
      ['/nope', 'INFO'],
      ['/nope', 'NO-SUCH-DEPT'],
    ] as const) {
      for (const bearer of [token, 'not-a-token']) {
        const res = await call(path, { dept, bearer });
        expect(res.status, path).toBe(404);
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(await res.text()).toBe(NOT_FOUND_PAGE);
      }
    }
  });

  it('a known route whose object is missing keeps the JSON error body', async () => {
    for (const path of ['/formsemestre/999999', '/etudiant/nip/NO-SUCH', '/departement/NOPE']) {
      const res = await call(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toMatchObject({ error: 'Not Found', status: 404 });
    }
  });
});

describe('tokens', () => {
  it('are standard base64 (may hold +, / and =), handed back while more than 60 s remain', async () => {
    expect(token).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(token.endsWith('=')).toBe(true);
    expect(await newToken()).toBe(token);
    // Draw tokens until one holds "+" or "/": it must work as a bearer token as it is.
    let special: string | undefined;
    for (let i = 0; i < 50 && !special; i += 1) {
      sim.revokeTokens();
      const t = await newToken();
      expect(t).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      if (/[+/]/.test(t)) special = t;
    }
    expect(special).toBeDefined();
    expect((await call('/departements', { bearer: special })).status).toBe(200);
    token = special!;
    clock += 3600_000 - 61_000; // 61 s left: still the same token
    expect(await newToken()).toBe(token);
    clock += 2_000; // 59 s left: a new one
    const renewed = await newToken();
    expect(renewed).not.toBe(token);
    expect((await call('/departements', { bearer: token })).status).toBe(200); // the old one still works
    token = renewed;
  });

  it('a bad, missing or expired token and bad Basic credentials get ScoDoc’s 401 body', async () => {
    const expectUnauthorized = async (res: Response) => {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(UNAUTHORIZED);
    };
    await expectUnauthorized(await call('/departements', { bearer: 'bm90LWEtdG9rZW4=' }));
    await expectUnauthorized(await fetch(`${sim.url}/ScoDoc/api/departements`));
    await expectUnauthorized(await call('/formsemestre/999999', { bearer: 'x' }));
    await expectUnauthorized(await postToken(basic('demo', 'wrong')));
    await expectUnauthorized(await postToken(basic('nobody', PASSWORD)));
    await expectUnauthorized(await fetch(`${sim.url}/ScoDoc/api/tokens`, { method: 'POST' }));
    const old = token;
    clock += 3601_000;
    await expectUnauthorized(await call('/departements', { bearer: old }));
    token = await newToken();
    expect(token).not.toBe(old);
  });
});

describe('withheld personal data', () => {
  const PERSONAL = ['email', 'emailperso', 'date_naissance', 'lieu_naissance'];
  const someone = university.students.find((s) => s.deptId === 1)!;
  const longRoutes = [
    `/etudiant/etudid/${someone.etudid}`,
    `/etudiant/nip/${someone.nip}`,
    `/etudiant/ine/${someone.ine}`,
    `/etudiants/etudid/${someone.etudid}`,
    `/etudiants/nip/${someone.nip}`,
    `/etudiants/ine/${someone.ine}`,
    '/etudiants/courants/long',
    `/formsemestre/${infoS1.id}/etudiants/long`,
    `/formsemestre/${infoS1.id}/etudiants/long/query?etat=I`,
  ];
  const rowsOf = async (path: string) => {
    const body = await getJson<EtudRow | EtudRow[]>(path);
    const rows = Array.isArray(body) ? body : [body];
    expect(rows.length, path).toBeGreaterThan(0);
    return rows;
  };

  it('by default the long forms carry them', async () => {
    for (const path of longRoutes)
      for (const row of await rowsOf(path))
        for (const key of PERSONAL) expect(row).toHaveProperty(key);
  });

  it('without the permission the keys are absent (not null); setPersonalData switches it', async () => {
    sim.setPersonalData(false);
    for (const path of longRoutes) {
      for (const row of await rowsOf(path)) {
        for (const key of PERSONAL) expect(Object.keys(row), `${path} ${key}`).not.toContain(key);
        for (const a of row.adresses as Array<Record<string, unknown>>) {
          expect(a).not.toHaveProperty('email');
          expect(a).not.toHaveProperty('emailperso');
        }
        expect(row).toHaveProperty('nom');
        expect(row).toHaveProperty('code_nip');
      }
    }
    sim.setPersonalData(true);
    expect(await getJson(`/etudiant/etudid/${someone.etudid}`)).toMatchObject({
      email: someone.email,
      date_naissance: someone.dateNaissance,
    });
  });

  it('the option personalData: false starts the simulator without the permission', async () => {
    const restricted = await startScodocSimulator({
      university,
      password: PASSWORD,
      now,
      personalData: false,
    });
    try {
      const res = await fetch(`${restricted.url}/ScoDoc/api/tokens`, {
        method: 'POST',
        headers: { authorization: basic('demo', PASSWORD) },
      });
      const { token: t } = (await res.json()) as { token: string };
      const row = (await (
        await fetch(`${restricted.url}/ScoDoc/api/etudiant/etudid/${someone.etudid}`, {
          headers: { authorization: `Bearer ${t}` },
        })
      ).json()) as EtudRow;
      expect(row.id).toBe(someone.etudid);
      for (const key of PERSONAL) expect(row).not.toHaveProperty(key);
    } finally {
      await restricted.close();
    }
  });
});
