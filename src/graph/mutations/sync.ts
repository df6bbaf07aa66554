import type { SyncReport } from '../../sync/apply';
import { runSync } from '../../sync/run';
import { builder } from '../builder';
import { SyncReportRef } from '../types/sync-report';
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

const GroupsPolicy = builder.enumType('GroupsPolicy', {
  description:
    "Whether a sync mirrors the semester's ScoDoc groups into Moodle groups of the course.",
  values: {
    SYNC: {
      description:
        'After the enrolments: groupings and groups created, members added and removed (LINK_GROUP_PREFIX).',
    },
    SKIP: { description: 'No groups step: no group function is called.' },
  } as const,
});

export const SyncSemesterInput = builder.inputType('SyncSemesterInput', {
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
    groups: t.field({
      type: GroupsPolicy,
      defaultValue: 'SYNC',
      description: 'The groups step (default SYNC).',
    }),
    removeEmptyGroups: t.boolean({
      defaultValue: false,
      description:
        "Delete the sync's Moodle groups whose ScoDoc group is empty or gone (default false: left alone).",
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
      'Plans (dryRun, the default) or applies the sync of a semester into its course: accounts for registered students, their enrolments, the leavers policy, then ScoDoc groups as Moodle groups. Idempotent: re-running after a failure converges.',
    args: { input: t.arg({ type: SyncSemesterInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'syncSemester', args.input, SyncSemesterSuccess, async (trail) => ({
        report: (await runSync(ctx.writes, trail, args.input)).report,
      })),
  }),
);
