import { createMoodleAccount, deleteMoodleAccount } from '../../writes/accounts';
import { createStudent } from '../../writes/students';
import { builder } from '../builder';
import type { MoodleAccountModel, StudentModel } from '../../domain/models';
import { MoodleAccountRef, StudentRef } from '../refs';
import { perform, successType } from './define';

const CreateStudentInput = builder.inputType('CreateStudentInput', {
  description: 'A new ScoDoc étudiant.',
  fields: (t) => ({
    department: t.string({ required: true, description: 'Département acronym.' }),
    lastName: t.string({ required: true, description: 'Family name.' }),
    firstName: t.string({ required: true, description: 'Given name.' }),
    civility: t.string({ required: true, description: '"M", "F" or "X".' }),
    nip: t.string({ description: 'Student number; unique within the département.' }),
    ine: t.string({ description: 'National student id; unique within the département.' }),
    email: t.string({
      description: 'Institutional e-mail address (needed later for a Moodle account).',
    }),
    birthDate: t.string({ description: 'ISO date of birth.' }),
  }),
});

const CreateStudentSuccess = successType<{ student: StudentModel }>('CreateStudentSuccess', {
  description: 'The étudiant exists in ScoDoc.',
  fields: (t) => ({
    student: t.field({
      type: StudentRef,
      description: 'The new student.',
      resolve: (r) => r.student,
    }),
  }),
});

const CreateMoodleAccountSuccess = successType<{
  account: MoodleAccountModel;
  student: StudentModel;
}>('CreateMoodleAccountSuccess', {
  description: 'The Moodle account exists, linked to the student (idnumber = NIP).',
  fields: (t) => ({
    account: t.field({
      type: MoodleAccountRef,
      description: 'The new account.',
      resolve: (r) => r.account,
    }),
    student: t.field({
      type: StudentRef,
      description: 'The student it belongs to.',
      resolve: (r) => r.student,
    }),
  }),
});

const DeleteMoodleAccountSuccess = successType<{ deletedAccountId: number }>(
  'DeleteMoodleAccountSuccess',
  {
    description:
      'The linked Moodle account was deleted (Moodle keeps a scrambled, soft-deleted record).',
    fields: (t) => ({
      deletedAccountId: t.exposeInt('deletedAccountId', {
        description: 'Moodle id of the deleted account.',
      }),
    }),
  },
);

builder.mutationFields((t) => ({
  createStudent: t.field({
    authScopes: { scope: 'write:accounts' },
    type: CreateStudentSuccess,
    description: 'Creates a ScoDoc étudiant (etudiant/create).',
    args: { input: t.arg({ type: CreateStudentInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'createStudent', args.input, CreateStudentSuccess, async (trail) => ({
        student: await createStudent(ctx.writes, trail, args.input),
      })),
  }),
  createMoodleAccount: t.field({
    authScopes: { scope: 'write:accounts' },
    type: CreateMoodleAccountSuccess,
    description:
      'Creates the Moodle account of a ScoDoc student: idnumber = NIP, username and auth by configuration. ConflictError when an account with that idnumber, username or e-mail exists.',
    args: { nip: t.arg.string({ required: true, description: "The student's NIP." }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'createMoodleAccount', args, CreateMoodleAccountSuccess, (trail) =>
        createMoodleAccount(ctx.writes, trail, args.nip),
      ),
  }),
  deleteMoodleAccount: t.field({
    authScopes: { scope: 'write:accounts' },
    type: DeleteMoodleAccountSuccess,
    description:
      'Deletes the Moodle account linked to the student. Never an account the link rule does not tie to this NIP, nor a site administrator.',
    args: { nip: t.arg.string({ required: true, description: "The student's NIP." }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'deleteMoodleAccount', args, DeleteMoodleAccountSuccess, (trail) =>
        deleteMoodleAccount(ctx.writes, trail, args.nip),
      ),
  }),
}));
