import { NotFoundError } from '../domain/errors';
import { categoryOfDepartment, courseKeyForSemester, courseOfSemester } from '../domain/linking';
import { toCategory, toCourse, toDepartment, toSemester } from '../domain/mapping';
import type { CategoryModel, CourseModel, DepartmentModel, SemesterModel } from '../domain/models';
import type { WriteDeps } from './context';

/** The upstream records a write starts from, or a NotFoundError that says which one is missing. */

export async function courseOrFail(deps: WriteDeps, id: number): Promise<CourseModel> {
  const [course] = await deps.moodle.getCoursesByIds([id]);
  if (!course) throw new NotFoundError(`Moodle has no course ${id}.`, 'course');
  return toCourse(course);
}

export async function semesterOrFail(deps: WriteDeps, id: number): Promise<SemesterModel> {
  const semester = await deps.scodoc.formsemestre(id);
  if (!semester) throw new NotFoundError(`ScoDoc has no semester ${id}.`, 'semester');
  return toSemester(semester);
}

/**
 * The ScoDoc département of an acronym, compared case-insensitively (real départements can be `Informatique`
 * while session ids upper-case it, scodoc-evidence.md): the caller then uses its exact acronym in URLs.
 */
export async function departmentOf(
  deps: WriteDeps,
  acronym: string,
): Promise<DepartmentModel | null> {
  const wanted = acronym.trim().toUpperCase();
  const all = (await deps.scodoc.departements()).map(toDepartment);
  return all.find((d) => d.acronym.toUpperCase() === wanted) ?? null;
}

/** The Moodle category linked to a département, or null (every category is read: a site has few). */
export async function categoryOf(deps: WriteDeps, acronym: string): Promise<CategoryModel | null> {
  const categories = (await deps.moodle.getCategories({})).map(toCategory);
  return categoryOfDepartment(deps.linking, categories, acronym);
}

/** The course linked to a semester by the semester rule, or the one given explicitly. */
export async function courseOfSemesterOrFail(
  deps: WriteDeps,
  semester: SemesterModel,
  courseId?: number | null,
): Promise<CourseModel> {
  if (courseId) return courseOrFail(deps, courseId);
  if (!semester.sessionId)
    throw new NotFoundError(
      `Semester ${semester.id} has no session_id to find its course by; pass courseId.`,
      'course',
    );
  const key = courseKeyForSemester(deps.linking, semester.sessionId);
  const course = courseOfSemester(await deps.moodle.getCoursesByField(key.field, key.value));
  if (!course)
    throw new NotFoundError(
      `No Moodle course is linked to ${semester.sessionId}; create it or pass courseId.`,
      'course',
    );
  return toCourse(course);
}
