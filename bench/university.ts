import type { TestGateway } from '../test/support/gateway';

/**
 * The benches' semester: one whose Moodle course exists, with every student of the demo university
 * registered in it (state I), so that its size is the university's.
 */
export function everyoneInOneSemester(gw: TestGateway) {
  const u = gw.sims.university;
  const scodoc = gw.sims.scodoc!.store;
  const moodle = gw.sims.moodle!.store;
  const semester = u.semesters.find(
    (s) =>
      s.hasMoodleCourse && [...moodle.courses.values()].some((c) => c.idnumber === s.sessionId),
  )!;
  const inscribed = new Set(
    scodoc.inscriptions.filter((i) => i.formsemestre_id === semester.id).map((i) => i.etudid),
  );
  for (const s of u.students)
    if (!inscribed.has(s.etudid))
      scodoc.inscriptions.push({
        etudid: s.etudid,
        formsemestre_id: semester.id,
        etat: 'I',
        seq: scodoc.inscriptions.length,
      });
  return semester;
}
