import { randomBytes } from 'node:crypto';
import { normalizeNip } from './linking';
import type { StudentModel } from './models';
import { ascii } from './text';

/** How the gateway makes Moodle accounts for students (MOODLE_USERNAME_RULE, MOODLE_AUTH). */
export interface AccountPolicy {
  /** How a Moodle username is made from a student: the NIP, "prenom.nom", or the e-mail address. Always lower case. */
  usernameRule: 'nip' | 'firstname.lastname' | 'email';
  /** Moodle auth plugin for new accounts: cas, ldap, shibboleth... or manual (a random password is set). */
  auth: string;
}

/** The fields of a Moodle account to create, in Moodle's own names (core_user_create_users). */
export interface NewAccount {
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  idnumber: string;
  auth: string;
  password?: string;
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

/** Moodle refuses any other username (and does not lower-case one for us). */
export function isValidUsername(username: string): boolean {
  return /^[a-z0-9_.@-]+$/.test(username);
}

/**
 * The Moodle account of a student with a NIP and an e-mail: idnumber = NIP, username by the rule, the
 * configured auth method. `manual` gets a strong random password that is never returned nor logged.
 */
export function newAccountFor(
  policy: AccountPolicy,
  s: StudentModel & { email: string },
): NewAccount {
  return {
    username: usernameFor(policy, s),
    firstname: s.firstName ?? s.lastName,
    lastname: s.lastName,
    email: s.email,
    idnumber: normalizeNip(s.nip) ?? '',
    auth: policy.auth,
    // Strong, random, and dropped right after the call: people log in through the institution's SSO or reset it.
    password: policy.auth === 'manual' ? `${randomBytes(18).toString('base64url')}aA1!` : undefined,
  };
}
