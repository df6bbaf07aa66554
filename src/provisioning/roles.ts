import type { CourseModel } from '../domain/models';
import type { WriteDeps } from './context';

/**
 * The id of a role in a course. Core Moodle lists no roles through web services: the client knows the
 * configured ids, or learns them from the roles of users enrolled in this course and a few siblings in its
 * category (where a role can be seen when nobody in this course holds it yet).
 */
export async function roleIdIn(
  deps: WriteDeps,
  course: CourseModel,
  shortname: string,
): Promise<number> {
  return deps.moodle.roleIdByShortname(shortname, [
    course.id,
    ...(await siblingCourseIds(deps, course)),
  ]);
}

async function siblingCourseIds(deps: WriteDeps, course: CourseModel): Promise<number[]> {
  if (course.categoryId == null) return [];
  const courses = await deps.moodle.getCoursesByField('category', String(course.categoryId));
  return courses
    .map((c) => c.id)
    .filter((id) => id !== course.id)
    .slice(0, 5);
}
