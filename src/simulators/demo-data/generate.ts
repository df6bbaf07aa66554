import { ascii } from '../../text';
import { BIRTH_PLACES, FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES } from './names';
import type {
  DemoDepartment,
  DemoEnrolment,
  DemoExtraCourse,
  DemoFormation,
  DemoMoodleOnlyUser,
  DemoRegistration,
  DemoSemester,
  DemoStudent,
  DemoUniversity,
  RegistrationState,
} from './types';

/**
 * A deterministic IUT: the same (seed, students, today) always gives the same university, so tests and demos
 * agree. `today` defaults to the real date so that demo mode shows current semesters; tests pass a fixed one.
 *
 * Besides the ordinary cases it plants the awkward ones a gateway must handle: a NIP registered in two
 * départements, students without a Moodle account, suspended and soft-deleted accounts, noisy idnumbers,
 * Moodle accounts matching no student, a hidden département without a Moodle category, a course whose
 * idnumber matches no semester, and semesters without a course.
 */
export interface GenerateOptions {
  seed?: number;
  students?: number;
  today?: string;
}

interface DeptSpec {
  acronym: string;
  name: string;
  formation: string;
  share: number;
  visible: boolean;
  hasMoodleCategory: boolean;
}

const DEPARTMENTS: DeptSpec[] = [
  {
    acronym: 'INFO',
    name: 'Informatique',
    formation: 'Informatique',
    share: 0.33,
    visible: true,
    hasMoodleCategory: true,
  },
  {
    acronym: 'GEII',
    name: 'Génie électrique et informatique industrielle',
    formation: 'Génie électrique et informatique industrielle',
    share: 0.24,
    visible: true,
    hasMoodleCategory: true,
  },
  {
    acronym: 'RT',
    name: 'Réseaux et télécommunications',
    formation: 'Réseaux et télécommunications',
    share: 0.2,
    visible: true,
    hasMoodleCategory: true,
  },
  {
    acronym: 'MMI',
    name: "Métiers du multimédia et de l'internet",
    formation: "Métiers du multimédia et de l'internet",
    share: 0.2,
    visible: true,
    hasMoodleCategory: true,
  },
  // A small, hidden département that was never set up in Moodle.
  {
    acronym: 'CJ',
    name: 'Carrières juridiques',
    formation: 'Carrières juridiques',
    share: 0.03,
    visible: false,
    hasMoodleCategory: false,
  },
];

const MAIL_DOMAIN = 'etu.univ-demo.fr';
const STAFF_DOMAIN = 'univ-demo.fr';

export function generateDemoUniversity(opts: GenerateOptions = {}): DemoUniversity {
  const seed = opts.seed ?? 2026;
  const total = opts.students ?? 1000;
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const rng = mulberry32(seed);
  const year = academicYear(today);

  const departments = DEPARTMENTS.map((d, i): DemoDepartment => ({
    id: i + 1,
    acronym: d.acronym,
    name: d.name,
    description: `Département ${d.name}`,
    visible: d.visible,
    dateCreation: `${year - 6}-06-1${i}T09:00:00+02:00`,
    hasMoodleCategory: d.hasMoodleCategory,
  }));
  const formations = departments.map((d, i): DemoFormation => ({
    id: 100 + i,
    deptId: d.id,
    acronyme: `BUT ${d.acronym}`,
    titre: `BUT ${DEPARTMENTS[i]!.formation}`,
    titreOfficiel: `Bachelor universitaire de technologie ${DEPARTMENTS[i]!.formation}`,
    version: 1,
    typeParcours: 700,
    formationCode: `FCOD-BUT-${d.acronym}`,
  }));

  const semesters = buildSemesters(departments, formations, year, today, rng);
  const people = new PeopleFactory(rng);
  const { students, registrations } = buildStudents(
    total,
    departments,
    semesters,
    year,
    today,
    rng,
    people,
  );
  const teachers = buildTeachers(departments, people);
  const moodleOnlyUsers = [...teachers.map((t) => t.user), ...strayAccounts(people)];
  const extraCourses = buildExtraCourses(year);
  const enrolments = buildEnrolments(students, registrations, semesters, teachers, rng);

  return {
    seed,
    today,
    departments,
    formations,
    semesters,
    students,
    registrations,
    moodleOnlyUsers,
    extraCourses,
    enrolments,
  };
}

/** The academic year a date belongs to: 2026 for any date from 2026-09-01 to 2027-08-31. */
export function academicYear(isoDate: string): number {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  return m >= 9 ? y : y - 1;
}

function buildSemesters(
  departments: DemoDepartment[],
  formations: DemoFormation[],
  year: number,
  today: string,
  rng: () => number,
): DemoSemester[] {
  const semesters: DemoSemester[] = [];
  let id = 1000;
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
        for (const modalite of modalites) {
          id += 1;
          const sessionId = `${dept.acronym}-BUT-${modalite}-S${rank}-${y}`;
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
            etapeApo: `V${dept.acronym.slice(0, 2)}${rank}${modalite === 'FA' ? 'A' : ''}`,
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

class PeopleFactory {
  private readonly emails = new Set<string>();
  private readonly nips = new Set<string>();
  constructor(private readonly rng: () => number) {}

  person() {
    const female = this.rng() < 0.45;
    const prenom = pick(this.rng, female ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
    const nom = pick(this.rng, LAST_NAMES);
    return { female, prenom, nom };
  }

  email(prenom: string, nom: string, domain: string): string {
    const base = `${ascii(prenom)}.${ascii(nom)}`;
    let candidate = `${base}@${domain}`;
    for (let n = 2; this.emails.has(candidate); n += 1) candidate = `${base}${n}@${domain}`;
    this.emails.add(candidate);
    return candidate;
  }

  nip(entryYear: number): string {
    // Real NIPs at many universities start with the two digits of the entry year.
    let nip: string;
    do
      nip = `${String(entryYear % 100).padStart(2, '0')}${String(Math.floor(this.rng() * 1e6)).padStart(6, '0')}`;
    while (this.nips.has(nip));
    this.nips.add(nip);
    return nip;
  }

  ine(): string {
    const digits = String(Math.floor(this.rng() * 1e9)).padStart(9, '0');
    return `${digits}${letter(this.rng)}${letter(this.rng)}`;
  }
}

function buildStudents(
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
    for (let i = 0; i < counts[di]!; i += 1) {
      etudid += 1;
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
      registrations.push(
        ...registerCohort(student, dept.id, entryYear, semesters, year, today, rng),
      );
    }
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

function buildTeachers(departments: DemoDepartment[], people: PeopleFactory) {
  const teachers: Array<{ deptId: number; user: DemoMoodleOnlyUser }> = [];
  for (const dept of departments.filter((d) => d.hasMoodleCategory)) {
    for (let i = 0; i < 4; i += 1) {
      const { prenom, nom } = people.person();
      teachers.push({
        deptId: dept.id,
        user: {
          username:
            `${ascii(prenom)}.${ascii(nom)}`.slice(0, 90) +
            (i === 0 ? '' : `.${dept.acronym.toLowerCase()}${i}`),
          firstname: prenom,
          lastname: nom,
          email: people.email(prenom, nom, STAFF_DOMAIN),
          idnumber: `ENS-${dept.acronym}-${i + 1}`,
          auth: 'cas',
          suspended: false,
          isSiteAdmin: false,
        },
      });
    }
  }
  return teachers;
}

/** Accounts that belong to no ScoDoc student: the gateway must show them as unlinked, never guess. */
function strayAccounts(people: PeopleFactory): DemoMoodleOnlyUser[] {
  const stray = (
    username: string,
    prenom: string,
    nom: string,
    idnumber: string | null,
    extra: Partial<DemoMoodleOnlyUser> = {},
  ): DemoMoodleOnlyUser => ({
    username,
    firstname: prenom,
    lastname: nom,
    email: people.email(prenom, nom, extra.isSiteAdmin ? STAFF_DOMAIN : 'example.org'),
    idnumber,
    auth: 'manual',
    suspended: false,
    isSiteAdmin: false,
    ...extra,
  });
  return [
    stray('ancien.etudiant', 'Kevin', 'Ancien', '19000001'),
    stray('jury.externe', 'Claire', 'Examinatrice', null),
    stray('moodle.admin2', 'Service', 'Numérique', null, { isSiteAdmin: true }),
    stray('stagiaire.entreprise', 'Marc', 'Tuteur', 'EXT-0042', { suspended: true }),
  ];
}

function buildExtraCourses(year: number): DemoExtraCourse[] {
  return [
    {
      shortname: 'ANGLAIS-TRANSVERSAL',
      fullname: 'Anglais transversal (tous parcours)',
      idnumber: null,
      deptAcronym: 'INFO',
      visible: true,
    },
    {
      shortname: `ARCHIVE-INFO-S1-${year - 5}`,
      fullname: `Archive BUT Informatique S1 ${year - 5}`,
      idnumber: `INFO-BUT-FI-S1-${year - 5}`,
      deptAcronym: 'INFO',
      visible: false,
    },
    {
      shortname: 'CHARTE-NUMERIQUE',
      fullname: 'Charte du numérique',
      idnumber: 'CHARTE',
      deptAcronym: null,
      visible: true,
    },
  ];
}

function buildEnrolments(
  students: DemoStudent[],
  registrations: DemoRegistration[],
  semesters: DemoSemester[],
  teachers: Array<{ deptId: number; user: DemoMoodleOnlyUser }>,
  rng: () => number,
): DemoEnrolment[] {
  const byEtudid = new Map(students.map((s) => [s.etudid, s]));
  const withCourse = new Map(semesters.filter((s) => s.hasMoodleCourse).map((s) => [s.id, s]));
  const out: DemoEnrolment[] = [];
  for (const reg of registrations) {
    const student = byEtudid.get(reg.etudid)!;
    if (
      !withCourse.has(reg.formsemestreId) ||
      student.moodle === 'none' ||
      student.moodle === 'soft-deleted'
    )
      continue;
    // Most registrations were mirrored into Moodle; a few were missed (work for a sync). Leavers usually
    // stay enrolled until someone cleans up, which is exactly what the leavers policy is for.
    if (rng() < 0.06) continue;
    out.push({
      etudid: reg.etudid,
      formsemestreId: reg.formsemestreId,
      role: 'student',
      suspended: reg.etat !== 'I' && rng() < 0.3,
    });
  }
  for (const sem of withCourse.values()) {
    const staff = teachers.filter((t) => t.deptId === sem.deptId);
    out.push({
      username: staff[sem.semestreId % staff.length]!.user.username,
      formsemestreId: sem.id,
      role: 'editingteacher',
      suspended: false,
    });
    out.push({
      username: staff[(sem.semestreId + 1) % staff.length]!.user.username,
      formsemestreId: sem.id,
      role: 'teacher',
      suspended: false,
    });
  }
  out.push({
    username: teachers[0]!.user.username,
    courseShortname: 'ANGLAIS-TRANSVERSAL',
    role: 'editingteacher',
    suspended: false,
  });
  return out;
}

/** Small, fast, well-distributed PRNG: reproducible across Node versions, unlike Math.random. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

function letter(rng: () => number): string {
  return String.fromCharCode(65 + Math.floor(rng() * 26));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
