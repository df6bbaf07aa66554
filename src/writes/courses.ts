import { z } from 'zod';
import { ConflictError, NotFoundError } from '../domain/errors';
import { listKeys } from '../domain/list-cache';
import { toCourse } from '../domain/mapping';
import type { CourseModel } from '../domain/models';
import { parseInput, text } from '../domain/validate';
import type { Trail, WriteDeps } from '../provisioning/context';
import { categoryOf, semesterOrFail } from '../provisioning/records';
import { UpstreamError } from '../upstreams/errors';

const isoDate = z.iso.date();

const createCourseInput = z
  .object({
    shortName: text.trim().min(1).max(255),
    fullName: text.trim().min(1).max(254),
    department: text.trim().min(1),
    idnumber: text.trim().min(1).max(100).nullish(),
    semesterId: z.number().int().positive().nullish(),
    startDate: isoDate.nullish(),
    endDate: isoDate.nullish(),
    visible: z.boolean().nullish(),
  })
  .refine((c) => !c.startDate || !c.endDate || c.startDate <= c.endDate, {
    message: 'endDate is before startDate',
    path: ['endDate'],
  });

/**
 * A Moodle course in the département's category. With `semesterId`, the idnumber defaults to the semester's
 * session_id (the link rule) and the dates to the semester's. Shortname and idnumber must be free: Moodle
 * checks the shortname, the gateway checks both first so nothing half-happens.
 */
export async function createCourse(
  deps: WriteDeps,
  trail: Trail,
  raw: unknown,
): Promise<CourseModel> {
  const input = parseInput(createCourseInput, raw);
  const category = await categoryOf(deps, input.department);
  if (!category)
    throw new NotFoundError(
      `Département ${input.department} has no Moodle category: create it with the mutation createDepartmentCategory(acronym: "${input.department}"), or, if the site names its categories after départements, set LINK_DEPARTMENT_BY=name.`,
      'category',
    );
  let idnumber = input.idnumber ?? undefined;
  let startDate = input.startDate ?? undefined;
  let endDate = input.endDate ?? undefined;
  if (input.semesterId) {
    const semester = await semesterOrFail(deps, input.semesterId);
    idnumber ??=
      deps.linking.semester === 'idnumber' ? (semester.sessionId ?? undefined) : undefined;
    startDate ??= semester.startDate ?? undefined;
    endDate ??= semester.endDate ?? undefined;
  }
  const [byShortname, byIdnumber] = await Promise.all([
    deps.moodle.getCoursesByField('shortname', input.shortName),
    idnumber ? deps.moodle.getCoursesByField('idnumber', idnumber) : Promise.resolve([]),
  ]);
  if (byShortname.length > 0)
    throw new ConflictError(
      `Moodle already has a course with short name ${input.shortName} (course ${byShortname[0]!.id}).`,
    );
  if (byIdnumber.length > 0)
    throw new ConflictError(
      `Moodle already has a course with idnumber ${idnumber} (course ${byIdnumber[0]!.id}).`,
    );

  const [created] = await deps.moodle.createCourses([
    {
      fullname: input.fullName,
      shortname: input.shortName,
      categoryid: category.id,
      idnumber,
      startdate: startDate ? unix(startDate) : undefined,
      enddate: endDate ? unix(endDate) : undefined,
      visible: input.visible == null ? undefined : input.visible ? 1 : 0,
    },
  ]);
  trail.touch('moodle', 'course', created!.id);
  deps.lists.invalidate(listKeys.everyMoodleList);
  const [course] = await deps.moodle.getCoursesByIds([created!.id]);
  return toCourse(course!);
}

/** Moodle deletes course by course and reports a bad id as a warning: each warning becomes a typed error. */
export async function deleteCourse(
  deps: WriteDeps,
  trail: Trail,
  rawId: unknown,
): Promise<{ deletedCourseId: number }> {
  const id = parseInput(z.number().int().positive(), rawId, 'id');
  if (id === 1) throw new ConflictError('Course 1 is the Moodle site front page.');
  const warnings = await deps.moodle.deleteCourses([id]);
  const warning = warnings[0];
  if (warning?.warningcode === 'unknowncourseidnumber')
    throw new NotFoundError(`Moodle has no course ${id}.`, 'course');
  if (warning)
    throw new UpstreamError({
      system: 'moodle',
      code: 'REJECTED',
      upstreamCode: warning.warningcode,
      message: `Moodle did not delete course ${id}: ${warning.message}`,
    });
  trail.touch('moodle', 'course-deleted', id);
  deps.lists.invalidate(listKeys.everyMoodleList);
  return { deletedCourseId: id };
}

function unix(isoDate: string): number {
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / 1000);
}
