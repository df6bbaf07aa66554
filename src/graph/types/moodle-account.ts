import { MoodleAccountRef } from '../refs';

MoodleAccountRef.implement({
  description: 'A Moodle user account.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: 'Moodle user id.' }),
    username: t.exposeString('username', {
      description: 'Login name (always lower case in Moodle).',
    }),
    idnumber: t.exposeString('idnumber', {
      nullable: true,
      description: 'Free "ID number" field; holds the NIP for linked students.',
    }),
    email: t.exposeString('email', {
      nullable: true,
      authScopes: { scope: 'read:personal' },
      description: 'E-mail address. Personal: needs read:personal.',
    }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'Given name.' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Family name.' }),
    auth: t.exposeString('auth', {
      nullable: true,
      description: 'Authentication method: manual, cas, ldap...',
    }),
    suspended: t.exposeBoolean('suspended', {
      nullable: true,
      description: 'Whether the account is suspended (cannot log in).',
    }),
  }),
});
