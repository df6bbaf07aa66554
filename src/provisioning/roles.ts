import { ConflictError } from '../domain/errors';
import type { CourseModel } from '../domain/models';
import { isUpstreamError } from '../upstreams/errors';
import type { EnrolledUser, Enrolment } from '../upstreams/moodle/schemas';
import type { NipFailure } from './batches';
import type { WriteDeps } from './context';
import { configurationRefusal } from './refusals';

/**
 * Role ids in a course. Core Moodle lists no roles through web services (moodle-live-findings.md), so an id
 * is, in this order: configured (MOODLE_ROLE_IDS), learnt from the roles of users enrolled in this course or
 * a few siblings in its category, or the id a standard install gives the role — a guess, verified by reading
 * the first enrolment made with it back (see enrolFirstVerifying).
 */
export interface Role {
  shortname: string;
  id: number;
  /** False for a standard id not yet seen on this site. */
  verified: boolean;
}

/** The ids of a standard Moodle install (moodle-live-findings.md); sites rarely change them, but can. */
const STANDARD_ROLE_IDS: Record<string, number> = {
  manager: 1,
  editingteacher: 3,
  teacher: 4,
  student: 5,
};

export async function roleIn(
  deps: WriteDeps,
  course: CourseModel,
  shortname: string,
  /** The course's enrolled users with their roles, when the caller has read them already. */
  enrolled: readonly EnrolledUser[] = [],
): Promise<Role> {
  // Learnt from the roster in hand: the roster is read once per sync (issue 15 saw it read twice).
  const held = enrolled.flatMap((u) => u.roles ?? []).find((r) => r.shortname === shortname);
  if (held) {
    // A configured id (MOODLE_ROLE_IDS) still wins: looking in no course reads only the client's cache.
    const id = await deps.moodle.roleIdByShortname(shortname, []).catch(() => {
      deps.moodle.rememberRole(shortname, held.roleid);
      return held.roleid;
    });
    return { shortname, id, verified: true };
  }
  try {
    const id = await deps.moodle.roleIdByShortname(shortname, [
      course.id,
      ...(await siblingCourseIds(deps, course)),
    ]);
    return { shortname, id, verified: true };
  } catch (err) {
    const standard = STANDARD_ROLE_IDS[shortname];
    if (!isUpstreamError(err) || err.code !== 'NOT_FOUND' || standard === undefined) throw err;
    return { shortname, id: standard, verified: false };
  }
}

/**
 * With a guessed role id, enrols the items one at a time until Moodle accepts one, reads that enrolment
 * back, and either confirms the id (the client remembers it) or undoes the enrolment and refuses: an id that
 * is another role on this site must not be handed out. Returns the items it dealt with (enrolled, or refused
 * by Moodle and reported in `failures`); the caller enrols the rest in batches as usual.
 */
export async function enrolFirstVerifying<T extends { nip: string; enrolment: Enrolment }>(
  deps: WriteDeps,
  role: Role,
  items: T[],
  failures: NipFailure[],
): Promise<{ done: T[]; handled: number }> {
  if (role.verified) return { done: [], handled: 0 };
  let handled = 0;
  for (const item of items.slice(0, 3)) {
    handled += 1;
    try {
      await deps.moodle.enrolUsers([item.enrolment]);
    } catch (err) {
      if (!isUpstreamError(err) || err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT') throw err;
      const systematic = configurationRefusal(err);
      if (systematic) throw systematic;
      failures.push({ nip: item.nip, reason: 'REJECTED', message: err.message });
      continue;
    }
    await verify(deps, role, item.enrolment);
    return { done: [item], handled };
  }
  return { done: [], handled };
}

async function verify(deps: WriteDeps, role: Role, enrolment: Enrolment): Promise<void> {
  const users = await deps.moodle.getEnrolledUsers(enrolment.courseid, {
    userfields: ['id', 'roles'],
  });
  const roles = users.find((u) => u.id === enrolment.userid)?.roles ?? [];
  const held = roles.find((r) => r.roleid === role.id);
  if (held?.shortname === role.shortname) {
    deps.moodle.rememberRole(role.shortname, role.id);
    return;
  }
  await deps.moodle
    .unenrolUsers([{ userid: enrolment.userid, courseid: enrolment.courseid }])
    .catch((err: unknown) =>
      deps.log.error({ err, enrolment }, 'could not undo an enrolment made with a wrong role id'),
    );
  throw new ConflictError(
    `Moodle role id ${role.id}, the standard id of "${role.shortname}", is ${held ? `"${held.shortname}"` : 'not a role Moodle reports'} on this site: nobody was enrolled. Set MOODLE_ROLE_IDS with this site's ids, e.g. {"${role.shortname}": <id>} (Site administration › Users › Permissions › Define roles).`,
  );
}

async function siblingCourseIds(deps: WriteDeps, course: CourseModel): Promise<number[]> {
  if (course.categoryId == null) return [];
  const courses = await deps.moodle.getCoursesByField('category', String(course.categoryId));
  return courses
    .map((c) => c.id)
    .filter((id) => id !== course.id)
    .slice(0, 5);
}
