import { describe, expect, it } from 'vitest';
import { academicYear, generateDemoUniversity } from '../src/simulators/demo-data/generate';

const TODAY = '2026-11-23';

describe('demo university generator', () => {
  const u = generateDemoUniversity({ today: TODAY });

  it('is deterministic for a seed, a size and a date', () => {
    expect(generateDemoUniversity({ today: TODAY })).toEqual(u);
    expect(generateDemoUniversity({ today: TODAY, seed: 7 }).students[0]).not.toEqual(
      u.students[0],
    );
  });

  it('has the requested size, spread over the IUT départements, plus a small mixed-case one', () => {
    const chimie = u.departments.find((d) => d.acronym === 'Chimie')!;
    const primary = new Set(u.students.filter((s) => s.deptId !== chimie.id).map((s) => s.nip));
    expect(primary.size).toBe(1000);
    // Real sites have acronyms like `Informatique`, upper-cased in session ids (scodoc-evidence.md).
    expect(u.departments.map((d) => d.acronym)).toEqual([
      'INFO',
      'GEII',
      'RT',
      'MMI',
      'CJ',
      'Chimie',
    ]);
    expect(u.students.filter((s) => s.deptId === chimie.id)).toHaveLength(30);
    expect(u.semesters.some((s) => s.sessionId?.startsWith('CHIMIE-BUT-'))).toBe(true);
    for (const d of u.departments) expect(u.students.some((s) => s.deptId === d.id)).toBe(true);
  });

  it('names semesters with ScoDoc session ids and marks the current ones by date', () => {
    expect(academicYear(TODAY)).toBe(2026);
    expect(academicYear('2027-03-01')).toBe(2026);
    const current = u.semesters
      .filter((s) => s.dateDebut <= TODAY && TODAY <= s.dateFin)
      .map((s) => s.sessionId);
    expect(current).toContain('INFO-BUT-FI-S1-2026');
    expect(current.every((id) => /^[A-Z]+-BUT-F[IA]-S[135]-2026$/.test(id))).toBe(true);
    expect(u.semesters.some((s) => s.anneeScolaire === 2024)).toBe(true);
  });

  it('plants the edge cases the gateway must handle', () => {
    const nipCounts = new Map<string, number>();
    for (const s of u.students) nipCounts.set(s.nip!, (nipCounts.get(s.nip!) ?? 0) + 1);
    expect([...nipCounts.values()].filter((n) => n > 1).length).toBeGreaterThan(0);
    const states = new Set(u.students.map((s) => s.moodle));
    expect(states).toEqual(new Set(['none', 'active', 'suspended', 'soft-deleted']));
    expect(u.students.some((s) => s.moodleIdnumber?.endsWith('.0'))).toBe(true);
    expect(
      u.students.some(
        (s) => s.moodleIdnumber !== null && s.moodleIdnumber !== s.moodleIdnumber.trim(),
      ),
    ).toBe(true);
    expect(u.departments.find((d) => d.acronym === 'CJ')).toMatchObject({
      visible: false,
      hasMoodleCategory: false,
    });
    expect(
      u.extraCourses.some(
        (c) => c.idnumber && !u.semesters.some((s) => s.sessionId === c.idnumber),
      ),
    ).toBe(true);
    expect(u.moodleOnlyUsers.some((m) => m.isSiteAdmin)).toBe(true);
    expect(new Set(u.registrations.map((r) => r.etat))).toEqual(new Set(['I', 'D', 'DEF']));
  });

  it('only registers students in semesters that have started, and stops a path at D or DEF', () => {
    const sems = new Map(u.semesters.map((s) => [s.id, s]));
    for (const r of u.registrations)
      expect(sems.get(r.formsemestreId)!.dateDebut <= TODAY).toBe(true);
    const byStudent = new Map<number, string[]>();
    for (const r of u.registrations)
      byStudent.set(r.etudid, [...(byStudent.get(r.etudid) ?? []), r.etat]);
    for (const path of byStudent.values())
      expect(path.slice(0, -1).every((e) => e === 'I')).toBe(true);
  });

  it('scales', () => {
    const big = generateDemoUniversity({ today: TODAY, students: 5000 });
    const chimie = big.departments.find((d) => d.acronym === 'Chimie')!;
    expect(new Set(big.students.filter((s) => s.deptId !== chimie.id).map((s) => s.nip)).size).toBe(
      5000,
    );
  });
});
