import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { builder } from '../builder';
import { acronymArg, idArg, parseNumericId, searchArg } from '../args';
import type { CourseModel } from '../../domain/models';
import { asEntity, keyOf } from '../federation';
import { MAX_PAGE_SIZE, pageOf } from '../paging';
import { CourseRef, DepartmentRef, EnrolmentRef, SemesterRef, MoodleGroupRef } from '../refs';

builder.node(CourseRef, {
  description:
    'A Moodle course, with the département of its category and the semester its idnumber names.',
  id: { resolve: (c) => c.id, parse: parseNumericId },
  isTypeOf: (value) => (value as { kind?: string }).kind === 'Course',
  loadOne: (id, ctx) => ctx.loaders.courseById.load(id),
  fields: (t) => ({
    moodleId: t.exposeInt('id', { description: 'Moodle course id.' }),
    shortName: t.exposeString('shortName', { description: 'Short name (unique in Moodle).' }),
    fullName: t.exposeString('fullName', { description: 'Full name.' }),
    idnumber: t.exposeString('idnumber', {
      nullable: true,
      description: 'Course ID number; the semester session_id for linked courses.',
    }),
    visible: t.exposeBoolean('visible', { nullable: true, description: 'Visible to students.' }),
    startDate: t.exposeString('startDate', {
      nullable: true,
      description: 'Start date (ISO), null when unset.',
    }),
    endDate: t.exposeString('endDate', {
      nullable: true,
      description: 'End date (ISO), null when unset.',
    }),
    categoryId: t.exposeInt('categoryId', { nullable: true, description: 'Moodle category id.' }),
    department: t.field({
      type: DepartmentRef,
      nullable: true,
      description:
        "The département linked to the course's category; null when the category links to none.",
      resolve: (c, _args, ctx) =>
        c.categoryId == null ? null : ctx.loaders.departmentOfCategory.load(c.categoryId),
    }),
    semester: t.field({
      type: SemesterRef,
      nullable: true,
      description:
        'The ScoDoc semester whose session_id the course carries; null when it names none.',
      resolve: (c, _args, ctx) => ctx.loaders.semesterOfCourse.load(c),
    }),
    enrolments: t.connection({
      type: EnrolmentRef,
      nullable: true,
      description:
        'Accounts enrolled in the course (active or suspended), by Moodle user id. Paged by Moodle itself.',
      resolve: async (c, args, ctx) => {
        // The count does not depend on the page: both are asked in the same round trip.
        const [connection, totalCount] = await Promise.all([
          resolveOffsetConnection(
            { args, defaultSize: 100, maxSize: MAX_PAGE_SIZE },
            ({ offset, limit }) => ctx.loaders.enrolledInCourse({ courseId: c.id, offset, limit }),
          ),
          ctx.loaders.enrolledCount(c.id),
        ]);
        return { ...connection, totalCount };
      },
    }),
    groups: t.field({
      type: [MoodleGroupRef],
      nullable: true,
      description:
        "The course's Moodle groups, by name (the sync's are linked to ScoDoc groups by the group link rule; others are the teachers').",
      resolve: (c, _args, ctx) => ctx.loaders.groupsOfCourse.load(c.id),
    }),
  }),
});

// By id, courses batch: N representations are one core_course_get_courses_by_field call.
asEntity(CourseRef, {
  keys: ['moodleId'],
  resolveReference: async (rep, ctx) => {
    const id = keyOf(rep, 'moodleId', 'number');
    return id === null ? null : ctx.loaders.courseById.load(idArg(id, 'moodleId'));
  },
});

builder.queryFields((t) => ({
  course: t.field({
    type: CourseRef,
    nullable: true,
    description: 'One Moodle course by id; null when Moodle has none.',
    args: { id: t.arg.int({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.courseById.load(idArg(args.id)),
  }),
  courses: t.connection({
    type: CourseRef,
    nullable: true,
    description:
      'Moodle courses of a département (its category) or of the whole site, by short name, optionally filtered by `search`.',
    args: {
      department: t.arg.string({
        description: 'Département acronym: courses of its linked category.',
      }),
      search: t.arg.string({
        description: 'Case-insensitive substring of the short name, full name or idnumber.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const department = args.department ? acronymArg(args.department) : null;
      const search = args.search == null ? null : searchArg(args.search);
      let courses: CourseModel[];
      if (department) {
        const category = await ctx.loaders.categoryOfDepartment.load(department);
        courses = category ? await ctx.loaders.coursesOfCategory(category.id) : [];
      } else {
        courses = await ctx.loaders.allCourses();
      }
      const needle = search?.toLowerCase().trim();
      const matching = needle
        ? courses.filter((c) =>
            [c.shortName, c.fullName, c.idnumber].some((v) => v?.toLowerCase().includes(needle)),
          )
        : courses;
      return pageOf(matching, (c) => `${c.shortName}\u0000${c.id}`, args);
    },
  }),
}));
