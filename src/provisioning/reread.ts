import { isSoftDeletedUser } from '../domain/linking';
import { isUpstreamError } from '../upstreams/errors';
import type { BatchOutcome } from './batches';
import type { WriteDeps } from './context';
import { usersByField } from './accounts';

/** What a re-read says of writes whose answer was lost: applied after all, not applied, or still unknown. */
export interface Reread<T, D = T> {
  done: D[];
  notDone: Array<{ item: T; message: string }>;
  unknown: Array<{ item: T; message: string }>;
}

/**
 * Settles lost answers by reading the state back once for all of them. `applied` maps an item to what the
 * step reports for it when the read shows it done (null: not done).
 */
export async function settleLost<T, D, S>(
  lost: BatchOutcome<T>['uncertain'],
  read: () => Promise<S>,
  applied: (state: S, item: T) => D | null,
): Promise<Reread<T, D>> {
  const out: Reread<T, D> = { done: [], notDone: [], unknown: [] };
  if (lost.length === 0) return out;
  let state: S;
  try {
    state = await read();
  } catch (err) {
    if (!isUpstreamError(err)) throw err;
    for (const l of lost)
      out.unknown.push({
        item: l.item,
        message: `${l.message}; reading it back failed too (${err.message}): check Moodle`,
      });
    return out;
  }
  for (const l of lost) {
    const d = applied(state, l.item);
    if (d !== null) out.done.push(d);
    else out.notDone.push({ item: l.item, message: `${l.message}; read back: not applied` });
  }
  return out;
}

/** Live users by username: the accounts a lost create_users answer may have made. */
export async function usersByUsername(deps: WriteDeps, usernames: string[]) {
  const users = await usersByField(deps, 'username', usernames, deps.syncConcurrency);
  return new Map(users.filter((u) => !isSoftDeletedUser(u)).map((u) => [u.username, u.id]));
}

/** The course's enrolled user ids (active ones only, when asked), read for lost enrolment answers. */
export async function enrolledIds(deps: WriteDeps, courseId: number, onlyactive: boolean) {
  const users = await deps.moodle.getEnrolledUsers(courseId, { userfields: ['id'], onlyactive });
  return new Set(users.map((u) => u.id));
}
