import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isSoftDeletedUser, normalizeNip, pickStudentRecord } from '../graph/linking';
import { toAccount, toStudent } from '../graph/mapping';
import type { MoodleAccountModel, StudentModel } from '../graph/models';
import { ascii } from '../text';
import { MoodleError } from '../upstreams/moodle/errors';
import type { MoodleUser } from '../upstreams/moodle/functions';
import type { AccountPolicy, Trail, WriteDeps } from './context';
import { ConflictError, ForbiddenError, NotFoundError } from './errors';
import { parseInput } from './validate';

export const nipInput = z.string().transform((s, ctx) => {
  const nip = normalizeNip(s);
  if (!nip || !/^[A-Za-z0-9]{1,20}$/.test(nip)) {
    ctx.addIssue({ code: 'custom', message: 'a NIP is 1 to 20 letters or digits' });
    return z.NEVER;
  }
  return nip;
});

/** The ScoDoc étudiant behind a NIP (long form, with e-mail), by the documented several-départements rule. */
export async function studentByNip(deps: WriteDeps, nip: string): Promise<StudentModel> {
  const records = (await deps.scodoc.etudiants({ nip })).map(toStudent);
  const picked = pickStudentRecord(records.map((r) => ({ ...r, id: r.etudid, dept_id: r.deptId })));
  if (!picked) throw new NotFoundError(`ScoDoc has no student with NIP ${nip}.`, 'student');
  return picked;
}

/** Live (not soft-deleted) Moodle users whose idnumber is this NIP, spreadsheet noise included. */
export async function accountsOfNip(deps: WriteDeps, nip: string): Promise<MoodleUser[]> {
  const users = await deps.moodle.getUsersByField('idnumber', [
    nip,
    `${nip}.0`,
    ` ${nip} `,
    ` ${nip}`,
    `${nip} `,
  ]);
  return users.filter((u) => !isSoftDeletedUser(u) && normalizeNip(u.idnumber) === nip);
}

export function usernameFor(policy: AccountPolicy, s: StudentModel): string {
  switch (policy.usernameRule) {
    case 'nip':
      return (s.nip ?? '').toLowerCase();
    case 'email':
      return (s.email ?? '').toLowerCase();
    case 'firstname.lastname':
      return `${ascii(s.firstName ?? '')}.${ascii(s.lastName)}`.replace(/^\.|\.$/g, '');
  }
}

/**
 * A Moodle account made from the ScoDoc étudiant: idnumber = NIP, username by the configured rule (lower
 * case), the configured auth method; `manual` gets a random password that is never returned nor logged.
 * Moodle checks only the username: the gateway also refuses an existing idnumber or e-mail.
 */
export async function createMoodleAccount(
  deps: WriteDeps,
  trail: Trail,
  rawNip: unknown,
): Promise<{ account: MoodleAccountModel; student: StudentModel }> {
  const nip = parseInput(nipInput, rawNip, 'nip');
  const student = await studentByNip(deps, nip);
  if (!student.email)
    throw new ConflictError(`Student ${nip} has no e-mail address in ScoDoc; Moodle requires one.`);
  const username = usernameFor(deps.accounts, student);
  if (!/^[a-z0-9_.@-]+$/.test(username))
    throw new ConflictError(
      `The username rule gives "${username}" for ${nip}, which Moodle would refuse.`,
    );

  const [byIdnumber, byUsername, byEmail] = await Promise.all([
    accountsOfNip(deps, nip),
    deps.moodle.getUsersByField('username', [username]),
    deps.moodle.getUsersByField('email', [student.email]),
  ]);
  if (byIdnumber.length > 0)
    throw new ConflictError(
      `Moodle already has an account for NIP ${nip} (user ${byIdnumber[0]!.id}).`,
    );
  if (byUsername.length > 0)
    throw new ConflictError(
      `Moodle already has the username ${username} (user ${byUsername[0]!.id}).`,
    );
  if (byEmail.some((u) => !isSoftDeletedUser(u)))
    throw new ConflictError(`Moodle already has an account with the e-mail of ${nip}.`);

  const manual = deps.accounts.auth === 'manual';
  const [created] = await deps.moodle.createUsers([
    {
      username,
      firstname: student.firstName ?? student.lastName,
      lastname: student.lastName,
      email: student.email,
      idnumber: nip,
      auth: deps.accounts.auth,
      // Strong, random, and dropped right after the call: people log in through the institution's SSO or reset it.
      password: manual ? `${randomBytes(18).toString('base64url')}aA1!` : undefined,
    },
  ]);
  trail.touch('moodle', 'user', created!.id);
  return {
    account: {
      id: created!.id,
      username,
      idnumber: nip,
      email: student.email,
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
  await studentByNip(deps, nip);
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
  return { deletedAccountId: account.id };
}
