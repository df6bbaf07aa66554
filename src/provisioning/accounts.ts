import { NotFoundError } from '../domain/errors';
import { isSoftDeletedUser, nipVariants, pickStudentRecord, usersByNip } from '../domain/linking';
import { toStudent } from '../domain/mapping';
import type { StudentModel } from '../domain/models';
import type { MoodleUser } from '../upstreams/moodle/schemas';
import type { NipFailure } from './batches';
import type { WriteDeps } from './context';

/** The ScoDoc étudiant behind a NIP (long form, with e-mail), by the documented several-départements rule. */
export async function studentOfNip(deps: WriteDeps, nip: string): Promise<StudentModel> {
  const records = (await deps.scodoc.etudiants({ nip })).map(toStudent);
  const picked = pickStudentRecord(records.map((r) => ({ ...r, id: r.etudid, dept_id: r.deptId })));
  if (!picked) throw new NotFoundError(`ScoDoc has no student with NIP ${nip}.`, 'student');
  return picked;
}

/** Live (not soft-deleted) Moodle users whose idnumber is this NIP, spreadsheet noise included. */
export async function accountsOfNip(deps: WriteDeps, nip: string): Promise<MoodleUser[]> {
  const users = await deps.moodle.getUsersByField('idnumber', nipVariants(nip));
  return usersByNip(users).get(nip) ?? [];
}

/**
 * The account of each NIP, in one users-by-field call (with the spreadsheet variants of every NIP): each
 * NIP gets exactly one account, or a failure saying it has none or several.
 */
export async function accountsOfNips(
  deps: WriteDeps,
  nips: string[],
): Promise<{ accounts: Map<string, MoodleUser>; failures: NipFailure[] }> {
  const unique = [...new Set(nips)];
  const users = await deps.moodle.getUsersByField('idnumber', unique.flatMap(nipVariants));
  const byNip = usersByNip(users);
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
 * Moodle refuses a taken username but not a taken e-mail; the gateway refuses both, so that nobody gets a
 * second account: the usernames and the e-mails (of live accounts) already taken, by user id, in two
 * batched look-ups.
 */
export async function takenIdentities(
  deps: WriteDeps,
  usernames: string[],
  emails: string[],
): Promise<{ usernames: Map<string, number>; emails: Map<string, number> }> {
  const [byUsername, byEmail] = await Promise.all([
    deps.moodle.getUsersByField('username', usernames),
    deps.moodle.getUsersByField('email', emails),
  ]);
  return {
    usernames: new Map(byUsername.map((u) => [u.username, u.id])),
    emails: new Map(byEmail.filter((u) => !isSoftDeletedUser(u)).map((u) => [u.email ?? '', u.id])),
  };
}
