import type { SyncFailure } from '../../sync/plan';
import type { SyncReport } from '../../sync/apply';
import { runSync } from '../../sync/run';
import { builder } from '../builder';
import { perform, successType } from './define';

const LeaverPolicy = builder.enumType('LeaverPolicy', {
  description: 'What a sync does with students who dropped out (D) or defaulted (DEF).',
  values: {
    KEEP: { description: 'Leave their enrolment as it is.' },
    SUSPEND: {
      description: 'Suspend their enrolment (reversible; their work stays visible to teachers).',
    },
    UNENROL: { description: 'Remove their enrolment.' },
  } as const,
});

const SyncSemesterInput = builder.inputType('SyncSemesterInput', {
  description: "Mirror a ScoDoc semester's registrations into its Moodle course.",
  fields: (t) => ({
    semesterId: t.int({ required: true, description: 'ScoDoc formsemestre id.' }),
    courseId: t.int({
      description:
        'Moodle course id; by default the course linked to the semester (idnumber = session_id).',
    }),
    dryRun: t.boolean({
      defaultValue: true,
      description: 'Only compute the plan (default). false applies it.',
    }),
    leavers: t.field({
      type: LeaverPolicy,
      defaultValue: 'KEEP',
      description: 'What to do with students in state D or DEF.',
    }),
  }),
});

const SyncFailureRef = builder.objectRef<SyncFailure>('SyncFailure').implement({
  description: 'A student the sync could not handle, and at which step.',
  fields: (t) => ({
    nip: t.exposeString('nip', {
      nullable: true,
      description: 'The NIP, when the student has one.',
    }),
    step: t.exposeString('step', { description: 'plan, createAccount, enrol or remove.' }),
    message: t.exposeString('message', { description: 'What went wrong.' }),
  }),
});

const SyncReportRef = builder.objectRef<SyncReport>('SyncReport').implement({
  description: 'What a sync would do (dry run) or did. A second apply reports zero changes.',
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun', { description: 'true: nothing was changed.' }),
    accountsToCreate: t.exposeInt('accountsToCreate', {
      description: 'Registered students without a Moodle account.',
    }),
    accountsCreated: t.exposeInt('accountsCreated', {
      description: 'Accounts created by this run.',
    }),
    enrolmentsToAdd: t.exposeInt('enrolmentsToAdd', {
      description: 'Registered students not (actively) enrolled, new accounts included.',
    }),
    enrolmentsAdded: t.exposeInt('enrolmentsAdded', {
      description: 'Enrolments added or reactivated by this run.',
    }),
    enrolmentsToRemove: t.exposeInt('enrolmentsToRemove', {
      description: 'Leavers to suspend or unenrol, per the policy.',
    }),
    enrolmentsRemoved: t.exposeInt('enrolmentsRemoved', {
      description: 'Leavers suspended or unenrolled by this run.',
    }),
    failures: t.field({
      type: [SyncFailureRef],
      description: 'Students not handled, with the step and the reason.',
      resolve: (r) => r.failures,
    }),
    unknown: t.field({
      type: [SyncFailureRef],
      description:
        'Writes sent whose answer was lost (timeout, connection reset) and that could not be read back either: Moodle may or may not have applied them. Neither counted as done nor among the failures; check them in Moodle, or re-run the sync (it converges).',
      resolve: (r) => r.unknown,
    }),
  }),
});

const SyncSemesterSuccess = successType<{ report: SyncReport }>('SyncSemesterSuccess', {
  description: 'The sync ran (or was planned); per-student failures are in the report.',
  fields: (t) => ({
    report: t.field({
      type: SyncReportRef,
      description: 'Counts and failures.',
      resolve: (r) => r.report,
    }),
  }),
});

builder.mutationField('syncSemester', (t) =>
  t.field({
    authScopes: { scope: 'sync' },
    type: SyncSemesterSuccess,
    description:
      'Plans (dryRun, the default) or applies the sync of a semester into its course: accounts for registered students, their enrolments, and the leavers policy. Idempotent: re-running after a failure converges.',
    args: { input: t.arg({ type: SyncSemesterInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'syncSemester', args.input, SyncSemesterSuccess, async (trail) => ({
        report: (await runSync(ctx.writes, trail, args.input)).report,
      })),
  }),
);
