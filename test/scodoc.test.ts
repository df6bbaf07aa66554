import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDemoUniversity } from '../src/simulators/demo-data/generate';
import { startScodocSimulator, type ScodocSimulator } from '../src/simulators/scodoc/server';
import { UpstreamError } from '../src/upstreams/errors';
import { createScodocClient, type ScodocClient } from '../src/upstreams/scodoc/client';

const TODAY = '2026-11-23';
const PASSWORD = 'demo-sc0doc-pw';
const university = generateDemoUniversity({ today: TODAY, students: 200 });
let clock = Date.parse(`${TODAY}T10:00:00Z`);
const now = () => clock;

let sim: ScodocSimulator;
const clients: ScodocClient[] = [];
function client(opts: { dept?: string; password?: string; timeoutMs?: number } = {}) {
  const c = createScodocClient(
    {
      url: `${sim.url}/ScoDoc`,
      username: 'demo',
      password: opts.password ?? PASSWORD,
      dept: opts.dept,
      timeoutMs: opts.timeoutMs ?? 3000,
      connections: 4,
    },
    // The policies (retries, breaker) are tested on their own: here every failure must reach the caller as is.
    { now, resilience: { retries: 0, breakerThreshold: 1_000 } },
  );
  clients.push(c);
  return c;
}

beforeAll(async () => {
  sim = await startScodocSimulator({ university, password: PASSWORD, now });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.close();
});
beforeEach(() => {
  sim.resetStats();
  sim.clearFaults();
});

async function expectUpstreamError(
  p: Promise<unknown>,
  code: UpstreamError['code'],
): Promise<UpstreamError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  expect((err as UpstreamError).code).toBe(code);
  expect((err as UpstreamError).system).toBe('scodoc');
  return err as UpstreamError;
}

const mover = (() => {
  const counts = new Map<string, number>();
  for (const s of university.students) counts.set(s.nip!, (counts.get(s.nip!) ?? 0) + 1);
  return [...counts].find(([, n]) => n > 1)![0];
})();
const someone = university.students[5]!;
const current = university.semesters.find((s) => s.sessionId === 'INFO-BUT-FI-S1-2026')!;

describe('ScoDoc client against the simulator', () => {
  it('lists and gets départements', async () => {
    const c = client();
    const depts = await c.departements();
    expect(depts.map((d) => d.acronym)).toEqual(['INFO', 'GEII', 'RT', 'MMI', 'CJ', 'Chimie']);
    expect(depts[0]).toMatchObject({
      id: 1,
      acronym: 'INFO',
      dept_name: 'Informatique',
      visible: true,
    });
    expect(await c.departement('RT')).toMatchObject({ acronym: 'RT' });
    expect(await c.departementById(2)).toMatchObject({ acronym: 'GEII' });
    expect(await c.departement('NOPE')).toBeNull();
  });

  it('creates, edits and deletes a département', async () => {
    const c = client();
    const created = await c.createDepartement({
      acronym: 'QLIO',
      dept_name: 'Qualité, logistique',
      visible: true,
    });
    expect(created).toMatchObject({ acronym: 'QLIO', visible: true });
    await expectUpstreamError(c.createDepartement({ acronym: 'QLIO' }), 'REJECTED');
    expect(await c.editDepartement('QLIO', { visible: false })).toMatchObject({ visible: false });
    await c.deleteDepartement('QLIO');
    expect(await c.departement('QLIO')).toBeNull();
    await expectUpstreamError(c.deleteDepartement('QLIO'), 'NOT_FOUND');
  });

  it('finds étudiants by etudid, NIP and INE; the plural routes return every département record', async () => {
    const c = client();
    expect(await c.etudiant({ etudid: someone.etudid })).toMatchObject({
      id: someone.etudid,
      code_nip: someone.nip,
      nom: someone.nom,
      email: someone.email,
    });
    expect((await c.etudiant({ nip: someone.nip! }))?.id).toBe(someone.etudid);
    expect((await c.etudiant({ ine: someone.ine! }))?.id).toBe(someone.etudid);
    expect(await c.etudiant({ nip: 'NO-SUCH-NIP' })).toBeNull();
    expect(await c.etudiants({ nip: 'NO-SUCH-NIP' })).toEqual([]);
    const records = await c.etudiants({ nip: mover });
    expect(records).toHaveLength(2);
    expect(new Set(records.map((r) => r.dept_id)).size).toBe(2);
  });

  it('a NIP in two départements: the singular route gives the most recently registered record', async () => {
    const records = university.students.filter((s) => s.nip === mover);
    const latest = Math.max(...records.map((r) => r.etudid));
    expect((await client().etudiant({ nip: mover }))?.id).toBe(latest);
  });

  it('lists the étudiants of a département, and étudiants courants', async () => {
    const c = client();
    const info = await c.departementEtudiants('INFO');
    expect(info.length).toBe(university.students.filter((s) => s.deptId === 1).length);
    expect(info[0]).toHaveProperty('sort_key');
    expect(await c.departementEtudiants('NOPE').catch((e: UpstreamError) => e.code)).toBe(
      'NOT_FOUND',
    );
    const courants = await c.etudiantsCourants();
    expect(courants.length).toBeGreaterThan(50);
  });

  it('reads formsemestres: by id, query, courants, of an étudiant', async () => {
    const c = client();
    const sem = await c.formsemestre(current.id);
    expect(sem).toMatchObject({
      id: current.id,
      session_id: 'INFO-BUT-FI-S1-2026',
      date_debut: '01/09/2026',
      date_debut_iso: '2026-09-01',
      annee_scolaire: 2026,
    });
    expect(await c.formsemestre(999_999)).toBeNull();
    const q = await c.formsemestresQuery({ dept_acronym: 'INFO', annee_scolaire: 2026 });
    expect(
      q.every((s) => s.session_id?.startsWith('INFO-') && s.session_id.endsWith('-2026')),
    ).toBe(true);
    expect(await c.formsemestresQuery({ dept_acronym: 'NOPE' })).toEqual([]);
    const courants = await c.formsemestresCourants('INFO');
    expect(courants.map((s) => s.session_id)).toContain('INFO-BUT-FI-S1-2026');
    const reg = university.registrations.find((r) => r.etudid === someone.etudid)!;
    expect((await c.etudiantFormsemestres({ etudid: someone.etudid })).map((s) => s.id)).toContain(
      reg.formsemestreId,
    );
  });

  it('filters a formsemestre roster by state', async () => {
    const c = client();
    const all = await c.formsemestreEtudiants(current.id);
    const byState = await Promise.all(
      (['I', 'D', 'DEF'] as const).map((etat) => c.formsemestreEtudiants(current.id, { etat })),
    );
    expect(byState.reduce((n, l) => n + l.length, 0)).toBe(all.length);
    const expectedI = university.registrations.filter(
      (r) => r.formsemestreId === current.id && r.etat === 'I',
    ).length;
    expect(byState[0]).toHaveLength(expectedI);
    expect((await c.formsemestreEtudiants(current.id, { long: true }))[0]).toHaveProperty('email');
  });

  it('creates an étudiant; NIP unique within a département only', async () => {
    const c = client();
    const created = await c.createEtudiant({
      dept: 'MMI',
      nom: 'Nouvelle',
      prenom: 'Inès',
      civilite: 'F',
      code_nip: '99000001',
    });
    expect(created).toMatchObject({ nom: 'NOUVELLE', prenom: 'Inès', code_nip: '99000001' });
    await expectUpstreamError(
      c.createEtudiant({
        dept: 'MMI',
        nom: 'Autre',
        prenom: 'X',
        civilite: 'M',
        code_nip: '99000001',
      }),
      'REJECTED',
    );
    expect(
      await c.createEtudiant({
        dept: 'RT',
        nom: 'Autre',
        prenom: 'X',
        civilite: 'M',
        code_nip: '99000001',
      }),
    ).toMatchObject({ code_nip: '99000001' });
  });

  it('uses the department-scoped API when SCODOC_DEPT is set', async () => {
    const c = client({ dept: 'GEII' });
    expect((await c.departements()).map((d) => d.acronym)).toEqual(['GEII']);
    const geii = university.students.find((s) => s.deptId === 2)!;
    const info = university.students.find((s) => s.deptId === 1)!;
    expect((await c.etudiant({ etudid: geii.etudid }))?.id).toBe(geii.etudid);
    expect(await c.etudiant({ etudid: info.etudid })).toBeNull();
    expect(sim.stats()['GET /etudiant/etudid/<etudid>']).toBe(2);
  });
});

describe('ScoDoc token lifecycle', () => {
  it('reuses one token for many calls, concurrent callers share one token request, identical reads in flight share one call', async () => {
    const c = client();
    await Promise.all([
      ...Array.from({ length: 10 }, () => c.departements()),
      c.departement('INFO'),
      c.departement('RT'),
    ]);
    await c.departements();
    expect(sim.stats()['POST /tokens']).toBe(1);
    expect(sim.stats()['GET /departements']).toBe(2);
    expect(sim.stats()['GET /departement/<acronym>']).toBe(2);
  });

  it('renews the token in its last 30 s, and keeps the expiry of a token ScoDoc hands back again', async () => {
    const c = client();
    await c.departements();
    clock += 59 * 60 * 1000; // 59 min: one minute left, still outside the renewal margin
    await c.departements();
    expect(sim.stats()['POST /tokens']).toBe(1);
    clock += 40 * 1000; // 20 s left: renew; ScoDoc now issues a new token (under 60 s left)
    await c.departements();
    expect(sim.stats()['POST /tokens']).toBe(2);
    clock += 2 * 3600 * 1000; // long after expiry
    await c.departements();
    expect(sim.stats()['POST /tokens']).toBe(3);
  });

  it('a token ScoDoc hands back unchanged keeps its old expiry (scodoc-evidence.md: same token while > 60 s remain)', async () => {
    // A renewal 5 min before expiry (an earlier client's margin) gets the same token back: it must not be
    // believed good for another hour, or the gateway would send it after its real expiry.
    const c = createScodocClient(
      {
        url: `${sim.url}/ScoDoc`,
        username: 'demo',
        password: PASSWORD,
        timeoutMs: 3000,
        connections: 1,
      },
      { now, renewBeforeSeconds: 300, resilience: { retries: 0, breakerThreshold: 1_000 } },
    );
    clients.push(c);
    await c.departements();
    clock += 56 * 60 * 1000; // 4 min left: renew, and get the same token
    await c.departements();
    expect(sim.stats()['POST /tokens']).toBe(2);
    clock += 3.5 * 60 * 1000; // 30 s left of the real token: renewal again, now a new one
    await c.departements();
    expect(sim.stats()['POST /tokens']).toBe(3);
    expect(sim.stats()['GET /departements']).toBe(3);
  });

  it('on a 401 mid-session, re-authenticates once and retries the call', async () => {
    const c = client();
    await c.departements();
    sim.revokeTokens();
    expect((await c.departements()).length).toBe(6);
    expect(sim.stats()['POST /tokens']).toBe(2);
    expect(sim.stats()['GET /departements']).toBe(3);
  });

  it('bad credentials: UNAUTHORIZED, with no secret in the message', async () => {
    const err = await expectUpstreamError(
      client({ password: 'wrong-password-123' }).departements(),
      'UNAUTHORIZED',
    );
    expect(err.message).not.toContain('wrong-password-123');
    expect(JSON.stringify(err)).not.toContain('wrong-password-123');
    expect(err.message).not.toContain(sim.url);
  });
});

describe('ScoDoc failures become UpstreamErrors', () => {
  it('a malformed reply is UNAVAILABLE (not JSON), a wrong shape BAD_REPLY', async () => {
    const c = client();
    await c.departements();
    sim.setFaults({ malformed: true });
    await expectUpstreamError(c.departements(), 'UNAVAILABLE');
    sim.setFaults({ malformed: false });

    const wrong = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        req.url?.endsWith('/tokens')
          ? JSON.stringify({ token: 't0ken-value' })
          : JSON.stringify([{ id: 'not-a-number' }]),
      );
    });
    await new Promise<void>((r) => wrong.listen(0, '127.0.0.1', () => r()));
    const port = (wrong.address() as AddressInfo).port;
    const c2 = createScodocClient({
      url: `http://127.0.0.1:${port}/ScoDoc`,
      username: 'u',
      password: PASSWORD,
      timeoutMs: 2000,
      connections: 1,
    });
    const err = await expectUpstreamError(c2.departements(), 'BAD_REPLY');
    expect(err.message).toBe(
      'ScoDoc GET /departements: the reply does not have the expected shape',
    );
    expect(err.detail).toContain('acronym');
    await c2.close();
    await new Promise((r) => wrong.close(r));
  });

  it('down is UNAVAILABLE, 5xx is UNAVAILABLE, slow is TIMEOUT', async () => {
    const c = client({ timeoutMs: 300 });
    await c.departements();
    sim.setFaults({ down: true });
    await expectUpstreamError(c.departements(), 'UNAVAILABLE');
    sim.setFaults({ down: false, errorRate: 1 });
    const err = await expectUpstreamError(c.departements(), 'UNAVAILABLE');
    expect(err.status).toBe(500);
    sim.setFaults({ errorRate: 0, latencyMs: 1500 });
    await expectUpstreamError(c.departements(), 'TIMEOUT');
  });

  it('never puts the password, the token or the host in a message', async () => {
    const c = client({ timeoutMs: 300 });
    sim.setFaults({ down: true });
    const err = await c.etudiant({ nip: 'x' }).catch((e: UpstreamError) => e);
    for (const text of [
      (err as Error).message,
      JSON.stringify(err),
      // The cause in full (every property, not only what its toString shows).
      inspect((err as Error).cause),
    ]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('127.0.0.1');
    }
  });
});
