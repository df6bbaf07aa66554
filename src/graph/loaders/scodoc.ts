import DataLoader from 'dataloader';
import { pickStudentRecord, normalizeNip } from '../../domain/linking';
import { listKeys, type ListStore } from '../../domain/list-cache';
import {
  groupsOfPartition,
  toDepartment,
  toGroup,
  toSemester,
  toStudent,
} from '../../domain/mapping';
import {
  STATE_FROM_SCODOC,
  type DepartmentModel,
  type GroupModel,
  type RegistrationModel,
  type SemesterModel,
  type StudentModel,
} from '../../domain/models';
import type { ScodocClient } from '../../upstreams/scodoc/client';
import { byRoster, eachKey, type Memo } from './support';

type Etat = 'I' | 'D' | 'DEF';

/**
 * ScoDoc reads, per request. Only formsemestres batch (formsemestres/query by département and year); ScoDoc
 * has no batch route for étudiants, so those are deduplicated and primed from every list reply instead.
 */
export function createScodocLoaders(
  deps: { scodoc: ScodocClient; lists: ListStore; today: () => string },
  memo: Memo,
) {
  const { scodoc, lists } = deps;

  // ---------- départements
  // A site has a handful of départements and changes them rarely: kept in the list cache.
  const departments = () =>
    memo('departments', () =>
      lists.get(listKeys.departments, async () => (await scodoc.departements()).map(toDepartment)),
    );
  const departmentByAcronym = new DataLoader<string, DepartmentModel | null>(
    async (acronyms) => {
      const all = await departments();
      return acronyms.map(
        (a) => all.find((d) => d.acronym.toUpperCase() === a.toUpperCase()) ?? null,
      );
    },
    { cacheKeyFn: (a) => a.toUpperCase() },
  );

  /**
   * The acronym as ScoDoc spells it: départements can be mixed case (`Informatique`) while users and session
   * ids upper-case them (scodoc-evidence.md), and ScoDoc's URLs are exact.
   */
  const exactAcronym = async (acronym: string) =>
    (await departmentByAcronym.load(acronym))?.acronym ?? acronym;

  // ---------- étudiants
  const studentByEtudid = new DataLoader<number, StudentModel | null>((ids) =>
    eachKey(ids, async (etudid) =>
      primeStudent(mapOrNull(await scodoc.etudiant({ etudid }), toStudent)),
    ),
  );
  const recordsByNip = new DataLoader<string, StudentModel[]>(
    (nips) =>
      eachKey(nips, async (nip) =>
        (await scodoc.etudiants({ nip })).map((e) => primeStudent(toStudent(e))),
      ),
    { cacheKeyFn: (nip) => normalizeNip(nip) ?? nip },
  );
  const studentByNip = new DataLoader<string, StudentModel | null>(async (nips) =>
    eachKey(nips, async (raw) => {
      const nip = normalizeNip(raw);
      return nip ? pickRecord(await recordsByNip.load(nip)) : null;
    }),
  );
  const studentByIne = new DataLoader<string, StudentModel | null>((ines) =>
    eachKey(ines, async (ine) =>
      pickRecord(
        (await scodoc.etudiants({ ine: ine.trim() })).map((e) => primeStudent(toStudent(e))),
      ),
    ),
  );
  function primeStudent<S extends StudentModel | null>(s: S): S {
    if (s) studentByEtudid.prime(s.etudid, s);
    if (s?.detailed) studentDetails.prime(s.etudid, s);
    return s;
  }
  /** The long form (e-mail, birth date), for records that came from a list: one call per student. */
  const studentDetails = new DataLoader<number, StudentModel | null>((ids) =>
    eachKey(ids, async (etudid) => mapOrNull(await scodoc.etudiant({ etudid }), toStudent)),
  );
  const detailsOf = async (s: StudentModel) =>
    s.detailed ? s : ((await studentDetails.load(s.etudid)) ?? s);

  /** Whole lists come from the process-wide list cache (TTL), then prime the per-request loaders. */
  const studentsOfDepartment = (acronym: string) =>
    memo(`dept-students:${acronym.toUpperCase()}`, async () => {
      const list = await lists.get(listKeys.departmentStudents(acronym), async () =>
        (await scodoc.departementEtudiants(await exactAcronym(acronym)))
          .map(toStudent)
          .sort(byRoster),
      );
      for (const s of list) studentByEtudid.prime(s.etudid, s);
      return list;
    });

  // ---------- formsemestres
  const semesterById = new DataLoader<number, SemesterModel | null>((ids) =>
    eachKey(ids, async (id) => mapOrNull(await scodoc.formsemestre(id), toSemester)),
  );
  const primeSemesters = (list: SemesterModel[]) => {
    for (const s of list) semesterById.prime(s.id, s);
    return list.sort((a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? '') || b.id - a.id);
  };
  const querySemesters = (q: { department?: string; year?: number }) =>
    memo(`semesters:${q.department?.toUpperCase() ?? '*'}:${q.year ?? '*'}`, async () =>
      primeSemesters(
        (
          await scodoc.formsemestresQuery({
            dept_acronym: q.department && (await exactAcronym(q.department)),
            annee_scolaire: q.year,
          })
        ).map(toSemester),
      ),
    );
  const semestersOfDepartment = (acronym: string) => querySemesters({ department: acronym });
  const currentSemestersOfDepartment = (acronym: string) =>
    memo(`semesters-current:${acronym.toUpperCase()}`, async () =>
      primeSemesters(
        (await scodoc.formsemestresCourants(await exactAcronym(acronym))).map(toSemester),
      ),
    );
  const today = deps.today();
  const isCurrent = (s: SemesterModel) =>
    !!s.startDate && !!s.endDate && s.startDate <= today && today <= s.endDate;

  /**
   * One call per (formsemestre, state filter); each row carries the student's groups in that semester, and
   * each reply also primes the étudiant loader.
   */
  const studentsOfSemester = new DataLoader<
    { semesterId: number; etat: Etat | null },
    Array<{ student: StudentModel; etat: string | null; groups: GroupModel[] }>,
    string
  >(
    (keys) =>
      eachKey(keys, async ({ semesterId, etat }) => {
        const rows = await scodoc.formsemestreEtudiants(semesterId, etat ? { etat } : {});
        return rows
          .map((row) => ({
            student: primeStudent(toStudent(row)),
            etat: etat ?? (typeof row.etat === 'string' ? row.etat : null),
            groups: (row.groups ?? [])
              .map((g) => toGroup(g, semesterId))
              .filter((g): g is GroupModel => g !== null),
          }))
          .sort((a, b) => byRoster(a.student, b.student));
      }),
    { cacheKeyFn: (k) => `${k.semesterId}:${k.etat ?? '*'}` },
  );

  // ---------- groups
  /** The groups of a semester's partitions (TD, TP, parcours), one call per semester. */
  const groupsOfSemester = new DataLoader<number, GroupModel[]>((ids) =>
    eachKey(ids, async (semesterId) =>
      (await scodoc.formsemestrePartitions(semesterId))
        .filter((p) => p.partition_name !== null)
        .flatMap((p) => groupsOfPartition(p, semesterId)),
    ),
  );
  /** A group's students, one call per group. */
  const studentsOfGroup = new DataLoader<number, StudentModel[]>((ids) =>
    eachKey(ids, async (groupId) =>
      (await scodoc.groupEtudiants(groupId)).map((e) => primeStudent(toStudent(e))).sort(byRoster),
    ),
  );

  /**
   * ScoDoc's list of a student's formsemestres does not say the registration state, so the state comes from
   * the formsemestre's own roster, filtered by state: three calls per semester, shared by every student of it.
   */
  const registrationsOfStudent = new DataLoader<number, RegistrationModel[]>((etudids) =>
    eachKey(etudids, async (etudid) => {
      const semesters = primeSemesters(
        (await scodoc.etudiantFormsemestres({ etudid })).map(toSemester),
      ).reverse();
      return Promise.all(semesters.map((semester) => registrationIn(semester, etudid)));
    }),
  );
  async function registrationIn(
    semester: SemesterModel,
    etudid: number,
  ): Promise<RegistrationModel> {
    // The three states in one level (in parallel), each list shared by every student of the semester.
    const states = ['I', 'D', 'DEF'] as const;
    const rosters = await Promise.all(
      states.map((etat) => studentsOfSemester.load({ semesterId: semester.id, etat })),
    );
    for (const [i, rows] of rosters.entries()) {
      const row = rows.find((r) => r.student.etudid === etudid);
      if (row) return { semester, state: STATE_FROM_SCODOC[states[i]!]!, groups: row.groups };
    }
    return { semester, state: 'REGISTERED', groups: [] };
  }

  return {
    departments,
    departmentByAcronym,
    studentByEtudid,
    detailsOf,
    studentByNip,
    studentByIne,
    studentsOfDepartment,
    semesterById,
    querySemesters,
    semestersOfDepartment,
    currentSemestersOfDepartment,
    isCurrent,
    studentsOfSemester,
    registrationsOfStudent,
    groupsOfSemester,
    studentsOfGroup,
  };
}

export type ScodocLoaders = ReturnType<typeof createScodocLoaders>;

function mapOrNull<T, R>(value: T | null, map: (v: T) => R): R | null {
  return value == null ? null : map(value);
}

function pickRecord(records: StudentModel[]): StudentModel | null {
  return pickStudentRecord(records.map((r) => ({ ...r, id: r.etudid, dept_id: r.deptId })));
}
