import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { allows } from '../../auth/scopes';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { asEntity, keyOf } from '../federation';
import { fold } from '../../domain/text';
import { acronymArg, idArg, ineArg, nipArg, parseNumericId, searchArg } from '../args';
import { pageOf, rosterKey } from '../paging';
import { selects } from '../selection';
import {
  DepartmentRef,
  EnrolmentRef,
  GroupRef,
  MoodleAccountRef,
  RegistrationRef,
  RegistrationStateEnum,
  SemesterRef,
  StudentRef,
} from '../refs';

RegistrationRef.implement({
  description: "A student's registration (ScoDoc inscription) in a semester, with its state.",
  fields: (t) => ({
    semester: t.field({
      type: SemesterRef,
      resolve: (r) => r.semester,
      description: 'The semester.',
    }),
    groups: t.field({
      type: [GroupRef],
      description: "The student's groups in that semester (TD, TP, track…).",
      resolve: (r) => r.groups,
    }),
    state: t.field({
      type: RegistrationStateEnum,
      resolve: (r) => r.state,
      description: 'REGISTERED (I), DROPPED_OUT (D) or DEFAULTED (DEF).',
    }),
  }),
});

builder.node(StudentRef, {
  description:
    'A ScoDoc étudiant, with the Moodle account linked to it (user idnumber = NIP by default) and its enrolments.',
  id: { resolve: (s) => s.etudid, parse: parseNumericId },
  isTypeOf: (value) => (value as { kind?: string }).kind === 'Student',
  loadOne: (etudid, ctx) => ctx.loaders.studentByEtudid.load(etudid),
  fields: (t) => ({
    etudid: t.exposeInt('etudid', { description: "ScoDoc's unique étudiant id." }),
    nip: t.exposeString('nip', {
      nullable: true,
      description: 'Student number (code NIP). Unique within a département only.',
    }),
    ine: t.exposeString('ine', {
      nullable: true,
      authScopes: { scope: 'read:personal' },
      description: 'National student id (INE). Personal: needs read:personal.',
    }),
    civility: t.exposeString('civility', {
      nullable: true,
      authScopes: { scope: 'read:personal' },
      description: '"M", "F" or "X". Personal: needs read:personal.',
    }),
    lastName: t.exposeString('lastName', {
      description: 'Family name, upper case as ScoDoc keeps it.',
    }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'Given name.' }),
    email: t.string({
      nullable: true,
      authScopes: { scope: 'read:personal' },
      description:
        'Institutional e-mail address; personal: needs read:personal (ScoDoc lists omit it: asking for it on a long list costs one ScoDoc call per student).',
      resolve: async (s, _args, ctx) => (await ctx.loaders.detailsOf(s)).email,
    }),
    department: t.field({
      type: DepartmentRef,
      nullable: true,
      description: 'The département this étudiant record belongs to.',
      resolve: (s, _args, ctx) =>
        s.deptAcronym ? ctx.loaders.departmentByAcronym.load(s.deptAcronym) : null,
    }),
    registrations: t.field({
      type: [RegistrationRef],
      nullable: true,
      description:
        'Semesters the student is or was registered in, oldest first, with the registration state.',
      resolve: (s, _args, ctx) => ctx.loaders.registrationsOfStudent.load(s.etudid),
    }),
    groups: t.field({
      type: [GroupRef],
      nullable: true,
      description:
        'Groups (TD, TP, track…) of the student in their most recent semester; `registrations` has them semester by semester.',
      resolve: async (s, _args, ctx) =>
        (await ctx.loaders.registrationsOfStudent.load(s.etudid)).at(-1)?.groups ?? [],
    }),
    moodleAccount: t.field({
      type: MoodleAccountRef,
      nullable: true,
      description:
        'The linked Moodle account; null when the student has none (soft-deleted accounts never count).',
      resolve: (s, _args, ctx) => ctx.loaders.accountOfStudent.load(s),
    }),
    enrolments: t.field({
      type: [EnrolmentRef],
      nullable: true,
      description:
        'Moodle course enrolments of the linked account; empty when there is no account.',
      resolve: (s, _args, ctx) => ctx.loaders.enrolmentsOfStudent.load(s),
    }),
  }),
});

/**
 * A student by NIP: one ScoDoc call per NIP (ScoDoc has no batch look-up by NIP); when the answer needs the
 * Moodle account, it is asked in the same round trip, and the accounts of NIPs asked in one tick in one call.
 */
function studentOfNip(nip: string, ctx: GraphContext, info: GraphQLResolveInfo) {
  if (selects(info, ['moodleAccount', 'enrolments'])) ctx.loaders.prefetchAccountOfNip(nip);
  return ctx.loaders.studentByNip.load(nip);
}

// A NIP is unique within a département only: as a key it resolves like `student(nip:)`, to the most recent
// record. `etudid` is the unambiguous key.
asEntity(StudentRef, {
  keys: ['nip', 'etudid'],
  resolveReference: async (rep, ctx, info) => {
    const etudid = keyOf(rep, 'etudid', 'number');
    if (etudid !== null) return ctx.loaders.studentByEtudid.load(idArg(etudid, 'etudid'));
    const nip = keyOf(rep, 'nip', 'string');
    return nip === null ? null : studentOfNip(nipArg(nip), ctx, info);
  },
});

builder.queryFields((t) => ({
  student: t.field({
    type: StudentRef,
    nullable: true,
    description:
      'One student by NIP, INE or etudid (give exactly one). A NIP or INE found in several départements resolves to the most recently created record (highest etudid).',
    args: {
      nip: t.arg.string({
        description: 'Student number; surrounding spaces and a trailing ".0" are ignored.',
      }),
      ine: t.arg.string({ description: 'National student id.' }),
      etudid: t.arg.int({ description: "ScoDoc's étudiant id." }),
    },
    resolve: (_root, args, ctx, info) => {
      if ([args.nip, args.ine, args.etudid].filter((v) => v != null).length !== 1) {
        throw new GraphQLError('Give exactly one of nip, ine, etudid.', {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      if (args.etudid != null)
        return ctx.loaders.studentByEtudid.load(idArg(args.etudid, 'etudid'));
      if (args.nip != null) return studentOfNip(nipArg(args.nip), ctx, info);
      // An INE is personal data: finding someone by it is reading it.
      if (!allows(ctx.caller, 'read:personal'))
        throw new GraphQLError('Looking a student up by INE needs the read:personal scope.', {
          extensions: { code: 'FORBIDDEN' },
        });
      return ctx.loaders.studentByIne.load(ineArg(args.ine!));
    },
  }),
  students: t.connection({
    type: StudentRef,
    nullable: true,
    description:
      'Students of a département by name, optionally filtered by `search` (name, first name, NIP or e-mail). Paged by the gateway.',
    args: {
      department: t.arg.string({ required: true, description: 'Département acronym.' }),
      search: t.arg.string({ description: 'Case- and accent-insensitive substring.' }),
    },
    resolve: async (_root, args, ctx) => {
      const department = acronymArg(args.department);
      const search = args.search == null ? null : searchArg(args.search);
      const all = await ctx.loaders.studentsOfDepartment(department);
      const needle = search ? fold(search) : null;
      const matching = needle
        ? all.filter((s) =>
            [s.lastName, s.firstName, s.nip, s.email].some((v) => v && fold(v).includes(needle)),
          )
        : all;
      return pageOf(matching, (s) => rosterKey(s.lastName, s.firstName, s.etudid), args);
    },
  }),
}));
