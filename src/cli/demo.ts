import type { Upstreams } from '../demo';
import { Trail, type WriteDeps } from '../provisioning/context';
import type { DemoSemester, DemoUniversity } from '../simulators/demo-data/types';
import { runSync } from '../sync/run';
import { wrap } from './render';

/** Semesters planned, at most, to find a clean one: each plan costs a few calls to the simulators. */
const TRIES = 6;

/**
 * Says on stderr (stdout stays the plan alone) that this is a demo, and returns the semester to sync: the
 * one given, or the first of the demo's likeliest semesters whose plan leaves no student out, so that a
 * first demo run ends like a healthy one (exit 0); one that does leave some out is named for a second run.
 */
export async function demoIntro(
  deps: WriteDeps,
  upstreams: Upstreams,
  given: number | undefined,
  width: number,
): Promise<number> {
  const university = upstreams.simulators!.university;
  const lines = [
    `Demo: simulated ScoDoc and Moodle with generated data (seed ${university.seed}, ${university.students.length} students); nothing real is read or changed, and --apply changes only the simulators, which stop with this command.`,
  ];
  let semesterId = given;
  if (semesterId === undefined) {
    const { clean, withProblems } = await firstClean(deps, likeliest(university).slice(0, TRIES));
    semesterId = clean.id;
    lines.push(
      `No --semester given: syncing ${clean.id} (${clean.sessionId}), a ${clean.current ? 'current ' : ''}semester with a Moodle course and many students.` +
        (withProblems ? ` Try --semester ${withProblems.id} for one with students left out.` : ''),
    );
  }
  process.stderr.write(`${lines.map((l) => wrap(l, width)).join('\n')}\n`);
  return semesterId;
}

interface Candidate {
  id: number;
  sessionId: string;
  current: boolean;
}

async function firstClean(deps: WriteDeps, candidates: Candidate[]) {
  let withProblems: Candidate | undefined;
  for (const c of candidates) {
    const failures = await runSync(deps, new Trail(), { semesterId: c.id }).then(
      ({ report }) => report.failures.length,
      () => Infinity,
    );
    if (failures === 0) return { clean: c, withProblems };
    if (failures !== Infinity) withProblems ??= c;
  }
  return { clean: candidates[0]!, withProblems: undefined };
}

/**
 * The semesters a real run is most often about first: current, unlocked, with a Moodle course, then by
 * registered students so the plan has something to show. Outside term time the unlocked ones lead.
 */
function likeliest(university: DemoUniversity): Candidate[] {
  const registered = new Map<number, number>();
  for (const r of university.registrations)
    if (r.etat === 'I')
      registered.set(r.formsemestreId, (registered.get(r.formsemestreId) ?? 0) + 1);
  const today = university.today;
  const current = (s: DemoSemester) => s.dateDebut <= today && today <= s.dateFin;
  const score = (s: DemoSemester) =>
    (current(s) ? 2e6 : 0) + (s.etat ? 1e6 : 0) + (registered.get(s.id) ?? 0);
  return university.semesters
    .filter((s) => s.hasMoodleCourse)
    .sort((a, b) => score(b) - score(a))
    .map((s) => ({ id: s.id, sessionId: s.sessionId, current: current(s) }));
}
