import { createCourse, deleteCourse } from '../../writes/courses';
import { enrol, unenrol, type EnrolmentOutcome, type NipFailure } from '../../writes/enrolments';
import { builder } from '../builder';
import type { CourseModel } from '../models';
import { CourseRef } from '../types/course';
import { MUTATION_ERRORS } from '../types/errors';
import { audited } from './audit';
import { isSuccess, success, type Branded } from './result';

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

const CreateCourseSuccess = builder
  .objectRef<Branded<{ course: CourseModel }>>('CreateCourseSuccess')
  .implement({
    description: 'The course exists in Moodle.',
    isTypeOf: isSuccess('CreateCourseSuccess'),
    fields: (t) => ({
      course: t.field({
        type: CourseRef,
        description: 'The new course.',
        resolve: (r) => r.course,
      }),
    }),
  });

const DeleteCourseSuccess = builder
  .objectRef<Branded<{ deletedCourseId: number }>>('DeleteCourseSuccess')
  .implement({
    description: 'The course was deleted from Moodle.',
    isTypeOf: isSuccess('DeleteCourseSuccess'),
    fields: (t) => ({
      deletedCourseId: t.exposeInt('deletedCourseId', { description: 'Id of the deleted course.' }),
    }),
  });

const EnrolSuccess = builder.objectRef<Branded<EnrolmentOutcome>>('EnrolSuccess').implement({
  description: 'Enrolments done; students who could not be enrolled are listed with the reason.',
  isTypeOf: isSuccess('EnrolSuccess'),
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

const UnenrolSuccess = builder.objectRef<Branded<EnrolmentOutcome>>('UnenrolSuccess').implement({
  description:
    'Unenrolments done; students who could not be unenrolled are listed with the reason.',
  isTypeOf: isSuccess('UnenrolSuccess'),
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
    errors: {
      types: [...MUTATION_ERRORS],
      directResult: true,
      union: { name: 'CreateCourseResult' },
    },
    resolve: (_root, args, ctx) =>
      audited(ctx, 'createCourse', args.input, async (trail) =>
        success('CreateCourseSuccess', {
          course: await createCourse(ctx.writes, trail, args.input),
        }),
      ),
  }),
  deleteCourse: t.field({
    authScopes: { scope: 'write:courses' },
    type: DeleteCourseSuccess,
    description: 'Deletes a Moodle course and its enrolments.',
    args: { id: t.arg.int({ required: true, description: 'Moodle course id.' }) },
    errors: {
      types: [...MUTATION_ERRORS],
      directResult: true,
      union: { name: 'DeleteCourseResult' },
    },
    resolve: (_root, args, ctx) =>
      audited(ctx, 'deleteCourse', args, async (trail) =>
        success('DeleteCourseSuccess', await deleteCourse(ctx.writes, trail, args.id)),
      ),
  }),
  enrol: t.field({
    authScopes: { scope: 'write:enrolments' },
    type: EnrolSuccess,
    description:
      'Enrols students (by NIP) in a course with a role. One bad student does not stop the others: the batch is split to find it.',
    args: { input: t.arg({ type: EnrolInput, required: true }) },
    errors: { types: [...MUTATION_ERRORS], directResult: true, union: { name: 'EnrolResult' } },
    resolve: (_root, args, ctx) =>
      audited(ctx, 'enrol', args.input, async (trail) =>
        success('EnrolSuccess', await enrol(ctx.writes, trail, args.input)),
      ),
  }),
  unenrol: t.field({
    authScopes: { scope: 'write:enrolments' },
    type: UnenrolSuccess,
    description: 'Unenrols students (by NIP) from a course.',
    args: { input: t.arg({ type: UnenrolInput, required: true }) },
    errors: { types: [...MUTATION_ERRORS], directResult: true, union: { name: 'UnenrolResult' } },
    resolve: (_root, args, ctx) =>
      audited(ctx, 'unenrol', args.input, async (trail) =>
        success('UnenrolSuccess', await unenrol(ctx.writes, trail, args.input)),
      ),
  }),
}));
