/**
 * What each mutation can change, as graph type names: after a write, the response cache drops every
 * cached answer holding one of these types (src/graph/response-cache.ts). Keyed by mutation name, and
 * `perform` takes only these names, so a new mutation does not compile until it says what it changes.
 */
export const MUTATION_CHANGES = {
  createDepartment: ['Department', 'Course'],
  deleteDepartment: ['Department', 'Course'],
  createDepartmentCategory: ['Department', 'Course'],
  createStudent: ['Student', 'Department', 'Semester'],
  createMoodleAccount: ['Student', 'MoodleAccount', 'Enrolment'],
  deleteMoodleAccount: ['Student', 'MoodleAccount', 'Enrolment', 'MoodleGroup'],
  createCourse: ['Course', 'Department', 'Semester'],
  deleteCourse: ['Course', 'Department', 'Semester', 'MoodleGroup'],
  enrol: ['Enrolment', 'Course', 'Student', 'MoodleAccount'],
  unenrol: ['Enrolment', 'Course', 'Student', 'MoodleAccount'],
  syncSemester: ['Enrolment', 'Course', 'Student', 'MoodleAccount', 'MoodleGroup'],
  // Only queues: the job's run drops what the sync changed when it ends (jobs/execute.ts `afterRun`).
  startSyncSemester: [],
} as const satisfies Record<string, readonly string[]>;

export type MutationName = keyof typeof MUTATION_CHANGES;

/** The type names a call of `mutation` with `input` may have changed: none for a sync's dry run. */
export function typesChangedBy(mutation: MutationName, input: unknown): readonly string[] {
  if (mutation === 'syncSemester' && (input as { dryRun?: boolean } | null)?.dryRun !== false)
    return [];
  return MUTATION_CHANGES[mutation];
}
