import { CourseRef, EnrolmentRef, MoodleAccountRef, StudentRef } from '../refs';

EnrolmentRef.implement({
  description:
    'A Moodle account enrolled in a Moodle course, and the ScoDoc student behind the account when there is one.',
  fields: (t) => ({
    course: t.field({
      type: CourseRef,
      nullable: true,
      description: 'The course (null only when Moodle cannot be reached).',
      resolve: (e, _args, ctx) => e.course ?? ctx.loaders.courseById.load(e.courseId),
    }),
    account: t.field({
      type: MoodleAccountRef,
      description: 'The enrolled Moodle account.',
      resolve: (e) => e.account,
    }),
    student: t.field({
      type: StudentRef,
      nullable: true,
      description:
        'The ScoDoc student linked to the account (for a course linked to a semester, the record registered in that semester); null when the account links to no student (staff, external, unlinked).',
      resolve: (e, _args, ctx) => ctx.loaders.studentOfEnrolment.load(e),
    }),
    roles: t.field({
      type: ['String'],
      nullable: true,
      description: 'Role shortnames in the course: student, editingteacher, teacher...',
      resolve: (e, _args, ctx) =>
        e.roles ?? ctx.loaders.rolesInCourse.load({ courseId: e.courseId, userId: e.account.id }),
    }),
  }),
});
