import { normalizeNip } from './linking';
import type { StudentModel } from './models';
import { ascii } from './text';

/** How the gateway makes Moodle accounts for students (MOODLE_USERNAME_RULE, MOODLE_AUTH). */
export interface AccountPolicy {
  /** How a Moodle username is made from a student: the NIP, "prenom.nom", or the e-mail address. Always lower case. */
  usernameRule: 'nip' | 'firstname.lastname' | 'email';
  /**
   * Moodle auth plugin for new accounts: manual (Moodle makes a password and e-mails it to the student), or
   * the site's SSO plugin (ldap, shibboleth, oauth2, cas...), whose accounts need no password.
   */
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
  /** Moodle generates the password and e-mails it (manual accounts only). */
  createpassword?: boolean;
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
 * configured auth method. A `manual` account gets `createpassword`: Moodle makes the password and e-mails
 * it to the student (fixture moodle-2026-12/core_user_create_users.ok-createpassword); a random password
 * nobody receives would make an account no one can log in to.
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
    createpassword: policy.auth === 'manual' ? true : undefined,
  };
}
