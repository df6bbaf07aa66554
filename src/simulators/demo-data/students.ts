import { ascii } from '../../domain/text';
import { DEPARTMENTS } from './departments';
import { BIRTH_PLACES, LAST_NAMES } from './names';
import type { PeopleFactory } from './people';
import { pick } from './random';
import type {
  DemoDepartment,
  DemoRegistration,
  DemoSemester,
  DemoStudent,
  RegistrationState,
} from './types';

/**
 * The ScoDoc side of the students: étudiants, their Moodle account state and idnumber noise, and their
 * registrations, including the movers who keep one NIP in two départements.
 */

const MAIL_DOMAIN = 'etu.univ-demo.fr';

export function buildStudents(
  total: number,
  departments: DemoDepartment[],
  semesters: DemoSemester[],
  year: number,
  today: string,
  rng: () => number,
  people: PeopleFactory,
) {
  const students: DemoStudent[] = [];
  const registrations: DemoRegistration[] = [];
  let etudid = 10_000;

  const counts = DEPARTMENTS.map((d) => Math.max(2, Math.round(d.share * total)));
  counts[0]! += total - counts.reduce((a, b) => a + b, 0);

  departments.forEach((dept, di) => {
    const made = buildDeptStudents(
      dept,
      counts[di]!,
      etudid + 1,
      semesters,
      year,
      today,
      rng,
      people,
    );
    students.push(...made.students);
    registrations.push(...made.registrations);
    etudid += counts[di]!;
  });

  // Students who changed département keep their NIP/INE: ScoDoc then holds two étudiants with one NIP.
  const movers = students.filter((s) => s.deptId === departments[1]!.id).slice(0, 3);
  for (const mover of movers) {
    etudid += 1;
    const copy: DemoStudent = { ...mover, etudid, deptId: departments[0]!.id };
    students.push(copy);
    const target = semesters.find(
      (s) =>
        s.deptId === copy.deptId &&
        s.anneeScolaire === year &&
        s.semestreId === 1 &&
        s.modalite === 'FI',
    )!;
    registrations.push({ etudid: copy.etudid, formsemestreId: target.id, etat: 'I' });
  }
  return { students, registrations };
}

/** `count` students of one département, etudids from `firstEtudid`, and their registrations. */
export function buildDeptStudents(
  dept: DemoDepartment,
  count: number,
  firstEtudid: number,
  semesters: DemoSemester[],
  year: number,
  today: string,
  rng: () => number,
  people: PeopleFactory,
) {
  const students: DemoStudent[] = [];
  const registrations: DemoRegistration[] = [];
  for (let i = 0; i < count; i += 1) {
    const etudid = firstEtudid + i;
    const entryYear = year - Math.floor(rng() * 3);
    const { female, prenom, nom } = people.person();
    const nip = people.nip(entryYear);
    const student = makeStudent(
      etudid,
      dept.id,
      nip,
      people.ine(),
      female,
      prenom,
      nom,
      entryYear,
      entryYear === year,
      rng,
      people,
    );
    students.push(student);
    registrations.push(...registerCohort(student, dept.id, entryYear, semesters, year, today, rng));
  }
  return { students, registrations };
}

function makeStudent(
  etudid: number,
  deptId: number,
  nip: string,
  ine: string,
  female: boolean,
  prenom: string,
  nom: string,
  entryYear: number,
  newestCohort: boolean,
  rng: () => number,
  people: PeopleFactory,
): DemoStudent {
  const r = rng();
  // Accounts are made in bulk each September; the newest students are the likeliest to have none yet.
  const noAccountOdds = newestCohort ? 0.12 : 0.04;
  const moodle: DemoStudent['moodle'] =
    r < noAccountOdds
      ? 'none'
      : r < noAccountOdds + 0.01
        ? 'suspended'
        : r < noAccountOdds + 0.015
          ? 'soft-deleted'
          : 'active';
  const noise = rng();
  const moodleIdnumber =
    moodle === 'none'
      ? null
      : noise < 0.02
        ? ` ${nip} `
        : noise < 0.04
          ? `${nip}.0`
          : noise < 0.05
            ? null
            : nip;
  const birthYear = entryYear - 18 - Math.floor(rng() * 3);
  return {
    etudid,
    deptId,
    nip,
    ine,
    civilite: female ? 'F' : 'M',
    nom: nom.toUpperCase(),
    nomUsuel: rng() < 0.02 ? pick(rng, LAST_NAMES).toUpperCase() : null,
    prenom,
    email: people.email(prenom, nom, MAIL_DOMAIN),
    emailPerso: rng() < 0.7 ? `${ascii(prenom)}${Math.floor(rng() * 100)}@example.org` : null,
    dateNaissance: `${birthYear}-${pad(1 + Math.floor(rng() * 12))}-${pad(1 + Math.floor(rng() * 28))}`,
    lieuNaissance: pick(rng, BIRTH_PLACES),
    nationalite:
      rng() < 0.9
        ? 'Française'
        : pick(rng, ['Marocaine', 'Sénégalaise', 'Tunisienne', 'Portugaise']),
    boursier: rng() < 0.35,
    moodle,
    moodleIdnumber,
  };
}

/** A cohort entering in `entryYear` takes S1, S2 that year, S3, S4 the next...; a D or DEF ends the path. */
function registerCohort(
  student: DemoStudent,
  deptId: number,
  entryYear: number,
  semesters: DemoSemester[],
  year: number,
  today: string,
  rng: () => number,
): DemoRegistration[] {
  const out: DemoRegistration[] = [];
  const apprentice = rng() < 0.3;
  for (let y = entryYear; y <= year; y += 1) {
    for (const rank of [2 * (y - entryYear) + 1, 2 * (y - entryYear) + 2]) {
      const modalite = rank >= 5 && apprentice ? 'FA' : 'FI';
      const sem =
        semesters.find(
          (s) =>
            s.deptId === deptId &&
            s.anneeScolaire === y &&
            s.semestreId === rank &&
            s.modalite === modalite,
        ) ??
        semesters.find(
          (s) =>
            s.deptId === deptId &&
            s.anneeScolaire === y &&
            s.semestreId === rank &&
            s.modalite === 'FI',
        );
      if (!sem || sem.dateDebut > today) return out;
      const r = rng();
      const etat: RegistrationState = r < 0.05 ? 'D' : r < 0.08 ? 'DEF' : 'I';
      out.push({ etudid: student.etudid, formsemestreId: sem.id, etat });
      if (etat !== 'I') return out;
    }
  }
  return out;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
