import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway, type TestGateway } from './support/gateway';
import { exampleVariables, LOWER_BOUNDS } from './support/lower-bounds';

/**
 * The upstream cost of each example operation equals the lower bound for its shape (test/support/
 * lower-bounds.ts, the same table `npm run bench:calls` prints), from cold caches; a query over the budget
 * is refused before any call, and one that runs past it is stopped with one error.
 */

const dir = fileURLToPath(new URL('../schema/operations/', import.meta.url));
const documents = readdirSync(dir)
  .filter((f) => f.endsWith('.graphql'))
  .map((f) => [f.replace('.graphql', ''), readFileSync(dir + f, 'utf8')] as const);

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ students: 400, listCacheTtlMs: 0 });
  await gw.query('{ departments { acronym } }'); // the ScoDoc token belongs to no operation
});
afterAll(() => gw.close());
beforeEach(() => gw.reset());

const variablesFor = (name: string, g: TestGateway) => exampleVariables(g.sims)[name] ?? {};

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

describe('each example operation makes exactly the lower bound of upstream calls', () => {
  for (const [name, doc] of [
    ...documents,
    ['Roster200', readFileSync(`${dir}DepartmentRoster.graphql`, 'utf8')] as const,
  ]) {
    it(name, async () => {
      const res = await gw.query(doc, variablesFor(name, gw));
      expect(res.errors).toBeUndefined();
      const bound = LOWER_BOUNDS[name]!;
      expect(total(gw.calls()), JSON.stringify(gw.calls())).toBe(bound.calls(res.data, gw.sims));
    });
  }

  it('a 200-student roster with accounts and enrolments stays within 40 calls', async () => {
    const res = await gw.query(
      readFileSync(`${dir}DepartmentRoster.graphql`, 'utf8'),
      variablesFor('Roster200', gw),
    );
    expect(res.errors).toBeUndefined();
    expect(total(gw.calls())).toBeLessThanOrEqual(40);
    // Course by course: one enrolled-users list per course of the category, not one call per account.
    expect(gw.calls().core_enrol_get_enrolled_users).toBeGreaterThan(0);
  });
});

describe('the budget of upstream calls per request', () => {
  it('refuses the fan-out query before any call, with one error', async () => {
    const res = await gw.query(
      '{ semesters { sessionId students { etudid email registrations { state } enrolments { roles } } } }',
    );
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_BUDGET_EXCEEDED',
      budget: 300,
    });
    expect(res.errors![0]!.message).toContain('MAX_UPSTREAM_CALLS');
    expect(gw.calls()).toEqual({});
  });

  it('stops a query that runs past its budget, with one error for every field left out', async () => {
    const g = await startTestGateway({
      students: 200,
      listCacheTtlMs: 0,
      security: { ...OPEN_SECURITY, limits: { ...OPEN_SECURITY.limits, upstreamCalls: 8 } },
    });
    try {
      const u = g.sims.university;
      // A student with three registrations: 2 + 3 × 3 calls, estimated at 7 (states are priced per
      // registration, not per state).
      const regs = (etudid: number) => u.registrations.filter((r) => r.etudid === etudid).length;
      const s = u.students.find((x) => x.nip && regs(x.etudid) === 3)!;
      const res = await g.query(
        `{ student(nip: "${s.nip}") { lastName registrations { state } } }`,
      );
      const budget = res.errors!.filter((e) => e.extensions?.code === 'UPSTREAM_BUDGET_EXCEEDED');
      expect(budget).toHaveLength(1);
      expect(res.errors).toHaveLength(1);
      expect(total(g.calls())).toBeLessThanOrEqual(8);
    } finally {
      await g.close();
    }
  });

  it('does not count mutations', async () => {
    const g = await startTestGateway({
      students: 100,
      security: { ...OPEN_SECURITY, limits: { ...OPEN_SECURITY.limits, upstreamCalls: 10 } },
    });
    try {
      const semester = g.sims.university.semesters.find(
        (x) => x.sessionId === 'INFO-BUT-FI-S1-2026',
      )!;
      const res = await g.query(
        `mutation { syncSemester(input: { semesterId: ${semester.id}, dryRun: false }) { __typename } }`,
      );
      expect(res.errors).toBeUndefined();
      expect(total(g.calls())).toBeGreaterThan(10);
    } finally {
      await g.close();
    }
  });
});
