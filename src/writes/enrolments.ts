import { z } from 'zod';
import { NotFoundError } from '../domain/errors';
import { listKeys } from '../domain/list-cache';
import type { CourseModel } from '../domain/models';
import { MAX_NIPS, nipInput, parseInput } from '../domain/validate';
import { isUpstreamError } from '../upstreams/errors';
import { accountsOfNips } from '../provisioning/accounts';
import { applyIsolatingFailures, type NipFailure } from '../provisioning/batches';
import type { Trail, WriteDeps } from '../provisioning/context';
import { courseOrFail } from '../provisioning/records';
import { enrolFirstVerifying, roleIn } from '../provisioning/roles';

const nipList = z
  .array(nipInput)
  .min(1, 'give at least one NIP')
  .max(MAX_NIPS, `at most ${MAX_NIPS} NIPs per call`);
const enrolInput = z.object({
  courseId: z.number().int().positive(),
  nips: nipList,
  role: z
    .string()
    .trim()
    .regex(/^[a-z0-9_-]+$/, 'a Moodle role shortname')
    .nullish(),
});
const unenrolInput = z.object({ courseId: z.number().int().positive(), nips: nipList });

export interface EnrolmentOutcome {
  course: CourseModel;
  count: number;
  failures: NipFailure[];
}

/**
 * Enrols many students in one course with one role (its id looked up in Moodle, never assumed). Students
 * without an account are reported, not skipped silently. Moodle rejects a whole batch for one bad item; the
 * batch is then split in halves until the bad items are isolated, so the others are enrolled anyway.
 */
export async function enrol(
  deps: WriteDeps,
  trail: Trail,
  raw: unknown,
): Promise<EnrolmentOutcome> {
  const input = parseInput(enrolInput, raw);
  const course = await courseOrFail(deps, input.courseId);
  const role = await roleIn(deps, course, input.role ?? 'student').catch((err: unknown) => {
    // The client's message says why and what to set (MOODLE_ROLE_IDS).
    if (isUpstreamError(err) && err.code === 'NOT_FOUND')
      throw new NotFoundError(err.message, 'role');
    throw err;
  });
  const { accounts, failures } = await accountsOfNips(deps, input.nips);
  const items = [...accounts].map(([nip, user]) => ({
    nip,
    enrolment: { roleid: role.id, userid: user.id, courseid: course.id },
  }));
  const first = await enrolFirstVerifying(deps, role, items, failures);
  const done = [
    ...first.done,
    ...(await applyIsolatingFailures(
      items.slice(first.handled),
      (batch) => deps.moodle.enrolUsers(batch.map((b) => b.enrolment)),
      failures,
    )),
  ];
  for (const item of done) trail.touch('moodle', `enrolment:${course.id}`, item.enrolment.userid);
  deps.lists.invalidate(listKeys.courseEnrolments(course.id));
  return { course, count: done.length, failures };
}

/** Unenrols many students from one course (manual enrolments; idempotent in Moodle). */
export async function unenrol(
  deps: WriteDeps,
  trail: Trail,
  raw: unknown,
): Promise<EnrolmentOutcome> {
  const input = parseInput(unenrolInput, raw);
  const course = await courseOrFail(deps, input.courseId);
  const { accounts, failures } = await accountsOfNips(deps, input.nips);
  const items = [...accounts].map(([nip, user]) => ({
    nip,
    enrolment: { userid: user.id, courseid: course.id },
  }));
  const done = await applyIsolatingFailures(
    items,
    (batch) => deps.moodle.unenrolUsers(batch.map((b) => b.enrolment)),
    failures,
  );
  for (const item of done) trail.touch('moodle', `unenrolment:${course.id}`, item.enrolment.userid);
  deps.lists.invalidate(listKeys.courseEnrolments(course.id));
  return { course, count: done.length, failures };
}
