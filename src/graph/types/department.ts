import { builder } from '../builder';
import { acronymArg, parseAcronymId } from '../args';
import { asEntity, keyOf } from '../federation';
import { pageOf, rosterKey } from '../paging';
import { PER_COURSE_FROM } from '../loaders/links';
import { selects } from '../selection';
import { CourseRef, DepartmentRef, SemesterRef, StudentRef } from '../refs';

builder.node(DepartmentRef, {
  description:
    'A ScoDoc département, and the Moodle category linked to it (category idnumber = acronym by default).',
  id: { resolve: (d) => d.acronym, parse: parseAcronymId },
  isTypeOf: (value) => (value as { kind?: string }).kind === 'Department',
  loadOne: (acronym, ctx) => ctx.loaders.departmentByAcronym.load(acronym),
  fields: (t) => ({
    acronym: t.exposeString('acronym', {
      description: 'The département acronym (INFO, GEII...): fixed and unique in ScoDoc.',
    }),
    name: t.exposeString('name', {
      nullable: true,
      description: 'Full name, e.g. "Informatique".',
    }),
    description: t.exposeString('description', {
      nullable: true,
      description: 'Free description from ScoDoc.',
    }),
    visible: t.exposeBoolean('visible', {
      description: 'Whether ScoDoc lists it on its home page (hidden ones still work).',
    }),
    moodleCategoryId: t.int({
      nullable: true,
      description:
        'Id of the linked Moodle category; null when there is none (or Moodle cannot be reached: see errors).',
      resolve: async (d, _args, ctx) =>
        (await ctx.loaders.categoryOfDepartment.load(d.acronym))?.id ?? null,
    }),
    semesters: t.field({
      type: [SemesterRef],
      nullable: true,
      description:
        'Its formsemestres, newest first. `current: true` keeps those in progress today.',
      args: {
        current: t.arg.boolean({
          description: 'Only semesters in progress (true) or not in progress (false).',
        }),
      },
      resolve: async (d, args, ctx) => {
        const semesters = args.current
          ? await ctx.loaders.currentSemestersOfDepartment(d.acronym)
          : await ctx.loaders.semestersOfDepartment(d.acronym);
        return args.current === false
          ? semesters.filter((s) => !ctx.loaders.isCurrent(s))
          : semesters;
      },
    }),
    students: t.connection({
      type: StudentRef,
      nullable: true,
      description:
        'Every étudiant of the département, past and present, by name. Paged by the gateway (ScoDoc pages nothing).',
      resolve: async (d, args, ctx, info) => {
        // A roster with enrolments reads them course by course: the category's course list is asked in
        // the same round trip as the students, not after them.
        // (Only for pages large enough for that: below, per-account look-ups are cheaper.)
        if ((args.first ?? 50) >= PER_COURSE_FROM && selects(info, ['enrolments'], { deep: true }))
          ctx.loaders.prefetchCoursesOf(d.acronym);
        const students = await ctx.loaders.studentsOfDepartment(d.acronym);
        return pageOf(students, (s) => rosterKey(s.lastName, s.firstName, s.etudid), args);
      },
    }),
    courses: t.connection({
      type: CourseRef,
      nullable: true,
      description:
        'Moodle courses in the linked category, by short name. Empty when the département has no category.',
      resolve: async (d, args, ctx) => {
        const category = await ctx.loaders.categoryOfDepartment.load(d.acronym);
        const courses = category ? await ctx.loaders.coursesOfCategory(category.id) : [];
        return pageOf(courses, (c) => `${c.shortName}\u0000${c.id}`, args);
      },
    }),
  }),
});

// Every département comes from the one (list-cached) list: N representations cost one call at most.
asEntity(DepartmentRef, {
  keys: ['acronym'],
  resolveReference: async (rep, ctx) => {
    const acronym = keyOf(rep, 'acronym', 'string');
    return acronym === null
      ? null
      : ctx.loaders.departmentByAcronym.load(acronymArg(acronym, 'acronym'));
  },
});

builder.queryFields((t) => ({
  departments: t.field({
    type: [DepartmentRef],
    nullable: true,
    description: 'ScoDoc départements. Hidden ones only with `includeHidden: true`.',
    args: {
      includeHidden: t.arg.boolean({
        defaultValue: false,
        description: 'Include départements ScoDoc does not show on its home page.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const all = await ctx.loaders.departments();
      return args.includeHidden ? all : all.filter((d) => d.visible);
    },
  }),
  department: t.field({
    type: DepartmentRef,
    nullable: true,
    description: 'One département by acronym (case-insensitive); null when ScoDoc has none.',
    args: { acronym: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      ctx.loaders.departmentByAcronym.load(acronymArg(args.acronym, 'acronym')),
  }),
}));
