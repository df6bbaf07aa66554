import type { SyncReport } from '../../sync/apply';
import type { SyncFailure } from '../../sync/plan';
import { builder } from '../builder';
import { SyncGroupsReportRef } from './sync-groups-report';

/** What a sync would do or did: the answer of `syncSemester`, and the report of a finished sync job. */
const SyncFailureRef = builder.objectRef<SyncFailure>('SyncFailure').implement({
  description: 'A student the sync could not handle, and at which step.',
  fields: (t) => ({
    nip: t.exposeString('nip', {
      nullable: true,
      description: 'The NIP, when the student has one.',
    }),
    step: t.exposeString('step', { description: 'plan, createAccount, enrol, remove or groups.' }),
    message: t.exposeString('message', { description: 'What went wrong.' }),
  }),
});

export const SyncReportRef = builder.objectRef<SyncReport>('SyncReport').implement({
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
    groups: t.field({
      type: SyncGroupsReportRef,
      nullable: true,
      description:
        'The groups step; null when skipped (groups: SKIP) or when it could not be planned.',
      resolve: (r) => r.groups,
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
