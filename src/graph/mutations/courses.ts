import { createCourse, deleteCourse } from '../../writes/courses';
import type { NipFailure } from '../../provisioning/batches';
import { enrol, unenrol, type EnrolmentOutcome } from '../../writes/enrolments';
import { builder } from '../builder';
import type { CourseModel } from '../../domain/models';
import { CourseRef } from '../refs';
import { perform, successType } from './define';

const CreateCourseInput = builder.inputType('CreateCourseInput', {
  description: "A new Moodle course in a département's category.",
  fields: (t) => ({
    shortName: t.string({ required: true, description: 'Short name (must be free in Moodle).' }),
    fullName: t.string({ required: true, description: 'Full name.' }),
    department: t.string({
      required: true,
      description: 'Département acronym: the course goes into its category.',
    }),
    idnumber: t.string({
      description:
        "Course idnumber (must be free); defaults to the semester's session_id with semesterId.",
    }),
    semesterId: t.int({
      description:
        'The ScoDoc semester the course is for: sets the idnumber link and the dates by default.',
    }),
    startDate: t.string({ description: 'ISO start date.' }),
    endDate: t.string({ description: 'ISO end date.' }),
    visible: t.boolean({ description: 'Visible to students (Moodle default when absent).' }),
  }),
});

const EnrolInput = builder.inputType('EnrolInput', {
  description: 'Students to enrol, by NIP, into one course with one role.',
  fields: (t) => ({
    courseId: t.int({ required: true, description: 'Moodle course id.' }),
    nips: t.stringList({ required: true, description: 'NIPs of the students (at most 2000).' }),
    role: t.string({
      defaultValue: 'student',
      description: 'Role shortname; its id is looked up in Moodle.',
    }),
  }),
});

const UnenrolInput = builder.inputType('UnenrolInput', {
  description: 'Students to unenrol, by NIP, from one course.',
  fields: (t) => ({
    courseId: t.int({ required: true, description: 'Moodle course id.' }),
    nips: t.stringList({ required: true, description: 'NIPs of the students (at most 2000).' }),
  }),
});

const EnrolmentFailureRef = builder.objectRef<NipFailure>('EnrolmentFailure').implement({
  description: 'A student who was not enrolled or unenrolled, and why.',
  fields: (t) => ({
    nip: t.exposeString('nip', { description: 'The NIP.' }),
    reason: t.exposeString('reason', {
      description:
        'NO_ACCOUNT, SEVERAL_ACCOUNTS, REJECTED (Moodle refused this one) or UPSTREAM_UNAVAILABLE.',
    }),
    message: t.exposeString('message', { description: 'Details.' }),
  }),
});

const CreateCourseSuccess = successType<{ course: CourseModel }>('CreateCourseSuccess', {
  description: 'The course exists in Moodle.',
  fields: (t) => ({
    course: t.field({
      type: CourseRef,
      description: 'The new course.',
      resolve: (r) => r.course,
    }),
  }),
});

const DeleteCourseSuccess = successType<{ deletedCourseId: number }>('DeleteCourseSuccess', {
  description: 'The course was deleted from Moodle.',
  fields: (t) => ({
    deletedCourseId: t.exposeInt('deletedCourseId', { description: 'Id of the deleted course.' }),
  }),
});

const EnrolSuccess = successType<EnrolmentOutcome>('EnrolSuccess', {
  description: 'Enrolments done; students who could not be enrolled are listed with the reason.',
  fields: (t) => ({
    enrolledCount: t.exposeInt('count', {
      description:
        'How many students are now enrolled (already enrolled ones count: enrolling is idempotent).',
    }),
    course: t.field({ type: CourseRef, description: 'The course.', resolve: (r) => r.course }),
    failures: t.field({
      type: [EnrolmentFailureRef],
      description: 'Students not enrolled, with the reason.',
      resolve: (r) => r.failures,
    }),
  }),
});

const UnenrolSuccess = successType<EnrolmentOutcome>('UnenrolSuccess', {
  description:
    'Unenrolments done; students who could not be unenrolled are listed with the reason.',
  fields: (t) => ({
    unenrolledCount: t.exposeInt('count', {
      description: 'How many students are no longer enrolled.',
    }),
    course: t.field({ type: CourseRef, description: 'The course.', resolve: (r) => r.course }),
    failures: t.field({
      type: [EnrolmentFailureRef],
      description: 'Students not unenrolled, with the reason.',
      resolve: (r) => r.failures,
    }),
  }),
});

builder.mutationFields((t) => ({
  createCourse: t.field({
    authScopes: { scope: 'write:courses' },
    type: CreateCourseSuccess,
    description:
      "Creates a Moodle course in the département's category. A taken shortname or idnumber is a ConflictError.",
    args: { input: t.arg({ type: CreateCourseInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'createCourse', args.input, CreateCourseSuccess, async (trail) => ({
        course: await createCourse(ctx.writes, trail, args.input),
      })),
  }),
  deleteCourse: t.field({
    authScopes: { scope: 'write:courses' },
    type: DeleteCourseSuccess,
    description: 'Deletes a Moodle course and its enrolments.',
    args: { id: t.arg.int({ required: true, description: 'Moodle course id.' }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'deleteCourse', args, DeleteCourseSuccess, (trail) =>
        deleteCourse(ctx.writes, trail, args.id),
      ),
  }),
  enrol: t.field({
    authScopes: { scope: 'write:enrolments' },
    type: EnrolSuccess,
    description:
      'Enrols students (by NIP) in a course with a role. One bad student does not stop the others: the batch is split to find it.',
    args: { input: t.arg({ type: EnrolInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'enrol', args.input, EnrolSuccess, (trail) =>
        enrol(ctx.writes, trail, args.input),
      ),
  }),
  unenrol: t.field({
    authScopes: { scope: 'write:enrolments' },
    type: UnenrolSuccess,
    description: 'Unenrols students (by NIP) from a course.',
    args: { input: t.arg({ type: UnenrolInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'unenrol', args.input, UnenrolSuccess, (trail) =>
        unenrol(ctx.writes, trail, args.input),
      ),
  }),
}));
