import type {
  CategoryModel,
  CourseModel,
  DepartmentModel,
  GroupModel,
  MoodleAccountModel,
  SemesterModel,
  StudentModel,
} from './models';
import { isoDateFromScodoc, isoDateFromUnix } from './models';

/**
 * Upstream records → graph models. The French names and the upstream quirks stop here. Inputs are typed
 * structurally (the fields used), so any reply variant the clients validate maps the same way.
 */

export interface ScodocDepartementLike {
  id: number;
  acronym: string;
  dept_name?: string | null;
  description?: string | null;
  visible?: boolean | null;
}

export function toDepartment(d: ScodocDepartementLike): DepartmentModel {
  return {
    kind: 'Department',
    id: d.id,
    acronym: d.acronym,
    name: d.dept_name ?? null,
    description: d.description ?? null,
    visible: d.visible ?? true,
  };
}

export interface ScodocEtudiantLike {
  id: number;
  dept_id?: number | null;
  dept_acronym?: string | null;
  code_nip?: string | null;
  code_ine?: string | null;
  civilite?: string | null;
  nom: string;
  nom_usuel?: string | null;
  prenom?: string | null;
  email?: string | null;
  date_naissance?: string | null;
}

export function toStudent(e: ScodocEtudiantLike): StudentModel {
  return {
    kind: 'Student',
    etudid: e.id,
    deptId: e.dept_id ?? null,
    deptAcronym: e.dept_acronym ?? null,
    nip: e.code_nip ?? null,
    ine: e.code_ine ?? null,
    civility: e.civilite ?? null,
    lastName: e.nom,
    firstName: e.prenom ?? null,
    email: e.email ?? null,
    birthDate:
      isoDateFromScodoc(null, e.date_naissance ?? null) ??
      (e.date_naissance?.match(/^\d{4}-\d{2}-\d{2}/) ? e.date_naissance.slice(0, 10) : null),
    detailed: 'email' in e,
  };
}

export interface ScodocFormsemestreLike {
  id: number;
  dept_id?: number | null;
  departement?: { acronym?: string | null } | null;
  titre?: string | null;
  titre_num?: string | null;
  titre_formation?: string | null;
  session_id?: string | null;
  semestre_id?: number | null;
  modalite?: string | null;
  annee_scolaire?: number | string | null;
  date_debut?: string | null;
  date_fin?: string | null;
  date_debut_iso?: string | null;
  date_fin_iso?: string | null;
  etat?: boolean | null;
  formation?: { acronyme?: string | null; titre?: string | null } | null;
  parcours?: Array<{ code?: string | null; libelle?: string | null }> | null;
}

export function toSemester(f: ScodocFormsemestreLike): SemesterModel {
  const year = f.annee_scolaire == null ? null : Number(f.annee_scolaire);
  return {
    kind: 'Semester',
    id: f.id,
    deptId: f.dept_id ?? null,
    deptAcronym: f.departement?.acronym ?? null,
    title: f.titre_num ?? f.titre ?? `formsemestre ${f.id}`,
    sessionId: f.session_id ?? null,
    rank: f.semestre_id ?? null,
    modality: f.modalite ?? null,
    academicYear: Number.isFinite(year) ? year : null,
    startDate: isoDateFromScodoc(f.date_debut_iso, f.date_debut),
    endDate: isoDateFromScodoc(f.date_fin_iso, f.date_fin),
    // ScoDoc's `etat` is true while the semester is open (not locked).
    locked: f.etat === false,
    programme:
      f.formation || f.titre_formation
        ? {
            acronym: f.formation?.acronyme ?? null,
            title: f.titre_formation ?? f.formation?.titre ?? null,
          }
        : null,
    tracks: (f.parcours ?? []).map((p) => ({ code: p.code ?? null, name: p.libelle ?? null })),
  };
}

export interface ScodocGroupLike {
  id?: number;
  group_id?: number;
  group_name: string | null;
  partition_id?: number;
  partition_name: string | null;
}

/** A group as a roster row or a partition lists it; null when it carries no id to address it by. */
export function toGroup(g: ScodocGroupLike, semesterId: number): GroupModel | null {
  const id = g.id ?? g.group_id;
  if (id === undefined) return null;
  return {
    kind: 'Group',
    id,
    name: g.group_name ?? '',
    partition: g.partition_name,
    partitionId: g.partition_id ?? null,
    semesterId,
  };
}

/** The groups of a partition (a dict keyed by group id, or a list), each knowing its partition. */
export function groupsOfPartition(
  p: {
    id: number;
    partition_name: string | null;
    groups?:
      | Record<string, { id: number; group_name: string | null }>
      | Array<{ id: number; group_name: string | null }>;
  },
  semesterId: number,
): GroupModel[] {
  return Object.values(p.groups ?? {}).map((g) => ({
    kind: 'Group',
    id: g.id,
    name: g.group_name ?? '',
    partition: p.partition_name,
    partitionId: p.id,
    semesterId,
  }));
}

export interface MoodleCourseLike {
  id: number;
  shortname: string;
  fullname: string;
  idnumber?: string | null;
  category?: number | null;
  categoryid?: number | null;
  visible?: number | boolean | null;
  startdate?: number | null;
  enddate?: number | null;
  format?: string | null;
}

export function toCourse(c: MoodleCourseLike): CourseModel {
  return {
    kind: 'Course',
    id: c.id,
    shortName: c.shortname,
    fullName: c.fullname,
    idnumber: c.idnumber ? c.idnumber : null,
    // get_courses says `categoryid`; get_courses_by_field and users' courses say `category`.
    categoryId: c.categoryid ?? c.category ?? null,
    visible: c.visible == null ? null : Boolean(c.visible),
    startDate: isoDateFromUnix(c.startdate),
    endDate: isoDateFromUnix(c.enddate),
  };
}

export interface MoodleCategoryLike {
  id: number;
  name: string;
  idnumber?: string | null;
  parent?: number | null;
  coursecount?: number | null;
}

export function toCategory(c: MoodleCategoryLike): CategoryModel {
  return {
    id: c.id,
    name: c.name,
    idnumber: c.idnumber ? c.idnumber : null,
    parent: c.parent ?? 0,
    courseCount: c.coursecount ?? null,
  };
}

export interface MoodleUserLike {
  id: number;
  username?: string;
  idnumber?: string | null;
  email?: string | null;
  firstname?: string | null;
  lastname?: string | null;
  auth?: string | null;
  suspended?: boolean | number | null;
}

export function toAccount(u: MoodleUserLike): MoodleAccountModel {
  return {
    id: u.id,
    username: u.username ?? '',
    idnumber: u.idnumber ? u.idnumber : null,
    email: u.email ?? null,
    firstName: u.firstname ?? null,
    lastName: u.lastname ?? null,
    auth: u.auth ?? null,
    suspended: u.suspended == null ? null : Boolean(u.suspended),
  };
}
