import { isValidUsername, newAccountFor, usernameFor } from '../domain/accounts';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { listKeys } from '../domain/list-cache';
import { toAccount } from '../domain/mapping';
import type { MoodleAccountModel, StudentModel } from '../domain/models';
import { nipInput, parseInput } from '../domain/validate';
import { accountsOfNip, studentOfNip, takenIdentities } from '../provisioning/accounts';
import type { Trail, WriteDeps } from '../provisioning/context';
import { configurationRefusal } from '../provisioning/refusals';
import { MoodleError } from '../upstreams/moodle/errors';

/**
 * A Moodle account made from the ScoDoc étudiant: idnumber = NIP, username by the configured rule (lower
 * case), the configured auth method (see newAccountFor). Moodle checks only the username: the gateway also
 * refuses an existing idnumber or e-mail.
 */
export async function createMoodleAccount(
  deps: WriteDeps,
  trail: Trail,
  rawNip: unknown,
): Promise<{ account: MoodleAccountModel; student: StudentModel }> {
  const nip = parseInput(nipInput, rawNip, 'nip');
  const student = await studentOfNip(deps, nip);
  const email = student.email;
  if (!email)
    throw new ConflictError(`Student ${nip} has no e-mail address in ScoDoc; Moodle requires one.`);
  const username = usernameFor(deps.accounts, student);
  if (!isValidUsername(username))
    throw new ConflictError(
      `The username rule gives "${username}" for ${nip}, which Moodle would refuse.`,
    );

  const [byIdnumber, taken] = await Promise.all([
    accountsOfNip(deps, nip),
    takenIdentities(deps, [username], [email]),
  ]);
  if (byIdnumber.length > 0)
    throw new ConflictError(
      `Moodle already has an account for NIP ${nip} (user ${byIdnumber[0]!.id}).`,
    );
  if (taken.usernames.has(username))
    throw new ConflictError(
      `Moodle already has the username ${username} (user ${taken.usernames.get(username)}).`,
    );
  if (taken.emails.has(email))
    throw new ConflictError(`Moodle already has an account with the e-mail of ${nip}.`);

  const [created] = await deps.moodle
    .createUsers([newAccountFor(deps.accounts, { ...student, email })])
    .catch((err: unknown) => {
      throw configurationRefusal(err) ?? err;
    });
  trail.touch('moodle', 'user', created!.id);
  return {
    account: {
      id: created!.id,
      username,
      idnumber: nip,
      email,
      firstName: student.firstName,
      lastName: student.lastName,
      auth: deps.accounts.auth,
      suspended: false,
    },
    student,
  };
}

/**
 * Deletes the Moodle account linked to the student, and only that: an account the link rule does not tie to
 * this NIP is never touched, nor the gateway's own account, nor one Moodle protects (site admins).
 */
export async function deleteMoodleAccount(
  deps: WriteDeps,
  trail: Trail,
  rawNip: unknown,
): Promise<{ deletedAccountId: number }> {
  const nip = parseInput(nipInput, rawNip, 'nip');
  await studentOfNip(deps, nip);
  const accounts = await accountsOfNip(deps, nip);
  if (accounts.length === 0)
    throw new NotFoundError(`No Moodle account is linked to NIP ${nip}.`, 'account');
  if (accounts.length > 1)
    throw new ConflictError(
      `${accounts.length} Moodle accounts carry NIP ${nip} (${accounts.map((a) => a.id).join(', ')}): resolve by hand.`,
    );
  const account = toAccount(accounts[0]!);
  const me = await deps.moodle.getSiteInfo();
  if (account.id === me.userid)
    throw new ForbiddenError('The gateway will not delete its own Moodle account.');
  try {
    await deps.moodle.deleteUsers([account.id]);
  } catch (err) {
    if (err instanceof MoodleError && err.upstreamCode === 'useradminodelete')
      throw new ForbiddenError(
        `Moodle account ${account.id} is a site administrator: it cannot be deleted.`,
      );
    throw err;
  }
  trail.touch('moodle', 'user-deleted', account.id);
  deps.lists.invalidate(listKeys.everyCourseEnrolments);
  return { deletedAccountId: account.id };
}
