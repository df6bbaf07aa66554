import type { DemoDepartment, DemoFormation, DemoSemester } from './types';

/** Three academic years of S1 to S6 per département, FI and (for some) FA, and which have a Moodle course. */
export function buildSemesters(
  departments: DemoDepartment[],
  formations: DemoFormation[],
  year: number,
  today: string,
  rng: () => number,
  firstId = 1001,
): DemoSemester[] {
  const semesters: DemoSemester[] = [];
  let id = firstId - 1;
  for (const dept of departments) {
    const formation = formations.find((f) => f.deptId === dept.id)!;
    for (let y = year - 2; y <= year; y += 1) {
      for (let rank = 1; rank <= 6; rank += 1) {
        const odd = rank % 2 === 1;
        const dateDebut = odd ? `${y}-09-01` : `${y + 1}-02-01`;
        const dateFin = odd ? `${y + 1}-01-31` : `${y + 1}-07-05`;
        // Apprenticeship (FA) runs alongside full-time (FI) in the last year for INFO and RT.
        const modalites: Array<'FI' | 'FA'> =
          rank >= 5 && (dept.acronym === 'INFO' || dept.acronym === 'RT') ? ['FI', 'FA'] : ['FI'];
        // scodoc-evidence.md: session_id upper-cases a mixed-case acronym (`INFORMATIQUE-BUT-FI-S2-2022`).
        const upper = dept.acronym.toUpperCase();
        for (const modalite of modalites) {
          id += 1;
          const sessionId = `${upper}-BUT-${modalite}-S${rank}-${y}`;
          const past = dateFin < today;
          semesters.push({
            id,
            deptId: dept.id,
            formationId: formation.id,
            semestreId: rank,
            titre: formation.titre + (modalite === 'FA' ? ' en alternance' : ''),
            titreNum: `${formation.titre}${modalite === 'FA' ? ' en alternance' : ''} semestre ${rank}`,
            modalite,
            sessionId,
            anneeScolaire: y,
            dateDebut,
            dateFin,
            etapeApo: `V${upper.slice(0, 2)}${rank}${modalite === 'FA' ? 'A' : ''}`,
            // Past semesters are locked once the jury has met.
            etat: !past,
            responsables: [1 + Math.floor(rng() * 5)],
            // Moodle courses exist for this year and last year; older ones were cleaned up. A few current
            // semesters have no course yet: creating them is part of what the gateway is for.
            hasMoodleCourse:
              dept.hasMoodleCategory &&
              y >= year - 1 &&
              !(y === year && rank === 5 && modalite === 'FA'),
          });
        }
      }
    }
  }
  return semesters;
}
