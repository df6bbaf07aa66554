import { z } from 'zod';
import { isSoftDeletedUser, normalizeNip } from '../graph/linking';
import { toCourse } from '../graph/mapping';
import type { CourseModel } from '../graph/models';
import { isUpstreamError } from '../upstreams/errors';
import type { MoodleUser } from '../upstreams/moodle/functions';
import type { Trail, WriteDeps } from './context';
import { NotFoundError } from './errors';
import { nipInput } from './accounts';
import { parseInput } from './validate';

/** More NIPs than this in one call is a mistake or an abuse: a whole semester is a few hundred. */
export const MAX_NIPS = 2000;

const nipList = z
  .array(nipInput)
  .min(1, 'give at least one NIP')
  .max(MAX_NIPS, `at most ${MAX_NIPS} NIPs per call`);
export const enrolInput = z.object({
  courseId: z.number().int().positive(),
  nips: nipList,
  role: z
    .string()
    .trim()
    .regex(/^[a-z0-9_-]+$/, 'a Moodle role shortname')
    .nullish(),
});
export const unenrolInput = z.object({ courseId: z.number().int().positive(), nips: nipList });

export interface NipFailure {
  nip: string;
  reason: 'NO_ACCOUNT' | 'SEVERAL_ACCOUNTS' | 'REJECTED' | 'UPSTREAM_UNAVAILABLE';
  message: string;
}

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
  const role = input.role ?? 'student';
  const roleid = await deps.moodle
    .roleIdByShortname(role, [course.id, ...(await siblingCourseIds(deps, course))])
    .catch((err: unknown) => {
      if (isUpstreamError(err) && err.code === 'NOT_FOUND')
        throw new NotFoundError(`Moodle role "${role}" could not be found.`, 'role');
      throw err;
    });
  const { accounts, failures } = await accountsFor(deps, input.nips);
  const items = [...accounts].map(([nip, user]) => ({
    nip,
    enrolment: { roleid, userid: user.id, courseid: course.id },
  }));
  const done = await applyIsolatingFailures(
    items,
    (batch) => deps.moodle.enrolUsers(batch.map((b) => b.enrolment)),
    failures,
  );
  for (const item of done) trail.touch('moodle', `enrolment:${course.id}`, item.enrolment.userid);
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
  const { accounts, failures } = await accountsFor(deps, input.nips);
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
  return { course, count: done.length, failures };
}

async function courseOrFail(deps: WriteDeps, id: number): Promise<CourseModel> {
  const [course] = await deps.moodle.getCoursesByIds([id]);
  if (!course) throw new NotFoundError(`Moodle has no course ${id}.`, 'course');
  return toCourse(course);
}

/** Other courses of the category: where a role id can be learnt when nobody in this course holds it yet. */
export async function siblingCourseIds(deps: WriteDeps, course: CourseModel): Promise<number[]> {
  if (course.categoryId == null) return [];
  const courses = await deps.moodle.getCoursesByField('category', String(course.categoryId));
  return courses
    .map((c) => c.id)
    .filter((id) => id !== course.id)
    .slice(0, 5);
}

/** One users-by-field call for all NIPs (with their spreadsheet variants); each NIP gets an account or a failure. */
export async function accountsFor(
  deps: WriteDeps,
  nips: string[],
): Promise<{ accounts: Map<string, MoodleUser>; failures: NipFailure[] }> {
  const unique = [...new Set(nips)];
  const variants = unique.flatMap((n) => [n, `${n}.0`, ` ${n} `, ` ${n}`, `${n} `]);
  const users = (await deps.moodle.getUsersByField('idnumber', variants)).filter(
    (u) => !isSoftDeletedUser(u),
  );
  const byNip = new Map<string, MoodleUser[]>();
  for (const u of users) {
    const nip = normalizeNip(u.idnumber);
    if (nip) byNip.set(nip, [...(byNip.get(nip) ?? []), u]);
  }
  const accounts = new Map<string, MoodleUser>();
  const failures: NipFailure[] = [];
  for (const nip of unique) {
    const found = byNip.get(nip) ?? [];
    if (found.length === 0)
      failures.push({
        nip,
        reason: 'NO_ACCOUNT',
        message: `No Moodle account is linked to NIP ${nip}.`,
      });
    else if (found.length > 1)
      failures.push({
        nip,
        reason: 'SEVERAL_ACCOUNTS',
        message: `${found.length} Moodle accounts carry NIP ${nip}; none was used.`,
      });
    else accounts.set(nip, found[0]!);
  }
  return { accounts, failures };
}

/**
 * Applies items in all-or-nothing batches. A rejected batch is split in two, recursively, so one bad item
 * costs about log2(n) extra calls and everything else still goes through. An unavailable upstream is not
 * bisected: the remaining items are reported as not done.
 */
export async function applyIsolatingFailures<T extends { nip: string }>(
  items: T[],
  apply: (batch: T[]) => Promise<void>,
  failures: NipFailure[],
): Promise<T[]> {
  const done: T[] = [];
  async function attempt(batch: T[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await apply(batch);
      done.push(...batch);
    } catch (err) {
      if (!isUpstreamError(err)) throw err;
      if (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT' || err.code === 'UNAUTHORIZED') {
        for (const item of batch)
          failures.push({ nip: item.nip, reason: 'UPSTREAM_UNAVAILABLE', message: err.message });
        return;
      }
      if (batch.length === 1) {
        failures.push({ nip: batch[0]!.nip, reason: 'REJECTED', message: err.message });
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await attempt(batch.slice(0, half));
      await attempt(batch.slice(half));
    }
  }
  await attempt(items);
  return done;
}
