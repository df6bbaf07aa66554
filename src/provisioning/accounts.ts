import { NotFoundError } from '../domain/errors';
import { isSoftDeletedUser, nipVariants, pickStudentRecord, usersByNip } from '../domain/linking';
import { toStudent } from '../domain/mapping';
import type { StudentModel } from '../domain/models';
import type { MoodleUser, UserField } from '../upstreams/moodle/schemas';
import { eachConcurrently, type NipFailure } from './batches';
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

/** Past this many NIPs, a look-up sends the NIPs as they are first and the variants of the misses only. */
const EXACT_FIRST_FROM = 100;
/** Values per users-by-field call of a sync's look-ups: several such calls keep Moodle's workers busy. */
const LOOKUP_CHUNK = 500;

/** Users by one field, in chunks that run `concurrency` at a time (a read: nothing to undo if one fails). */
export async function usersByField(
  deps: WriteDeps,
  field: UserField,
  values: readonly string[],
  concurrency = 4,
): Promise<MoodleUser[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < values.length; i += LOOKUP_CHUNK)
    chunks.push(values.slice(i, i + LOOKUP_CHUNK));
  const found: MoodleUser[][] = [];
  await eachConcurrently(
    chunks.map((c, i) => ({ c, i })),
    concurrency,
    async ({ c, i }) => {
      found[i] = await deps.moodle.getUsersByField(field, c);
    },
  );
  return found.flat();
}

/**
 * The account of each NIP. For many NIPs, every NIP as it is first, then the spreadsheet variants of the
 * NIPs that matched nothing (issue 15: five spellings of every NIP made a no-op sync's look-ups five times
 * longer). Each NIP gets exactly one account, or a failure saying it has none or several. A NIP found as it
 * is is not also looked up in its variants: a second account under a noisy spelling of it goes unseen.
 */
export async function accountsOfNips(
  deps: WriteDeps,
  nips: string[],
  concurrency?: number,
): Promise<{ accounts: Map<string, MoodleUser>; failures: NipFailure[] }> {
  const unique = [...new Set(nips)];
  // A few NIPs: one call with every spelling costs less than a second round trip.
  if (unique.length <= EXACT_FIRST_FROM)
    return accountsIn(
      unique,
      await deps.moodle.getUsersByField('idnumber', unique.flatMap(nipVariants)),
    );
  const exact = await usersByField(deps, 'idnumber', unique, concurrency);
  const seen = new Set(usersByNip(exact).keys());
  const variants = unique
    .filter((nip) => !seen.has(nip))
    .flatMap((nip) => nipVariants(nip).filter((v) => v !== nip));
  return accountsIn(unique, [
    ...exact,
    ...(await usersByField(deps, 'idnumber', variants, concurrency)),
  ]);
}

function accountsIn(
  unique: string[],
  users: MoodleUser[],
): { accounts: Map<string, MoodleUser>; failures: NipFailure[] } {
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
    usersByField(deps, 'username', usernames),
    usersByField(deps, 'email', emails),
  ]);
  return {
    usernames: new Map(byUsername.map((u) => [u.username, u.id])),
    emails: new Map(byEmail.filter((u) => !isSoftDeletedUser(u)).map((u) => [u.email ?? '', u.id])),
  };
}
