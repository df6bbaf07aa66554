import { builder } from '../builder';
import { acronymArg, idArg, parseNumericId } from '../args';
import { SCODOC_FROM_STATE } from '../../domain/models';
import { asEntity, keyOf } from '../federation';
import type { SemesterModel, TrackModel } from '../../domain/models';
import {
  CourseRef,
  DepartmentRef,
  GroupRef,
  RegistrationStateEnum,
  SemesterRef,
  StudentRef,
} from '../refs';

const TrackRef = builder.objectRef<TrackModel>('Track').implement({
  description: 'A BUT track (ScoDoc parcours) a semester offers.',
  fields: (t) => ({
    code: t.exposeString('code', { nullable: true, description: 'Track code, e.g. "A".' }),
    name: t.exposeString('name', { nullable: true, description: 'Track name.' }),
  }),
});

const ProgrammeRef = builder
  .objectRef<NonNullable<SemesterModel['programme']>>('Programme')
  .implement({
    description: 'A programme (ScoDoc formation), e.g. BUT MMI.',
    fields: (t) => ({
      acronym: t.exposeString('acronym', { nullable: true, description: 'Acronym, e.g. "MMI".' }),
      title: t.exposeString('title', {
        nullable: true,
        description: 'Short title, e.g. "BUT MMI".',
      }),
    }),
  });

builder.node(SemesterRef, {
  description:
    'A ScoDoc formsemestre (one run of a semester of a programme), and the Moodle course linked to it (course idnumber = session_id by default).',
  id: { resolve: (s) => s.id, parse: parseNumericId },
  isTypeOf: (value) => (value as { kind?: string }).kind === 'Semester',
  loadOne: (id, ctx) => ctx.loaders.semesterById.load(id),
  fields: (t) => ({
    formsemestreId: t.exposeInt('id', { description: "ScoDoc's formsemestre_id." }),
    title: t.exposeString('title', { description: 'Title, e.g. "BUT Informatique semestre 1".' }),
    sessionId: t.exposeString('sessionId', {
      nullable: true,
      description:
        'ScoDoc session id, e.g. INFO-BUT-FI-S1-2026: the key used to link the Moodle course.',
    }),
    rank: t.exposeInt('rank', {
      nullable: true,
      description: 'Semester number in the programme (1 to 6 for a BUT).',
    }),
    modality: t.exposeString('modality', {
      nullable: true,
      description: 'FI (full-time), FA (apprenticeship), FC (continuing education).',
    }),
    academicYear: t.exposeInt('academicYear', {
      nullable: true,
      description: 'First calendar year of the academic year (2026 for 2026-2027).',
    }),
    startDate: t.exposeString('startDate', { nullable: true, description: 'First day, ISO date.' }),
    endDate: t.exposeString('endDate', { nullable: true, description: 'Last day, ISO date.' }),
    locked: t.exposeBoolean('locked', {
      description: 'Locked in ScoDoc (verrouillé): marks and registrations can no longer change.',
    }),
    programme: t.field({
      type: ProgrammeRef,
      nullable: true,
      description: 'The programme (ScoDoc formation) this semester is a run of.',
      resolve: (s) => s.programme,
    }),
    tracks: t.field({
      type: [TrackRef],
      description: 'BUT tracks (parcours) the semester offers; empty before they start (S1, S2).',
      resolve: (s) => s.tracks,
    }),
    groups: t.field({
      type: [GroupRef],
      nullable: true,
      description: 'Its groups (TD, TP, tracks…), partition by partition (one ScoDoc call).',
      resolve: (s, _args, ctx) => ctx.loaders.groupsOfSemester.load(s.id),
    }),
    current: t.boolean({
      description: 'In progress today (start date ≤ today ≤ end date).',
      resolve: (s, _args, ctx) => ctx.loaders.isCurrent(s),
    }),
    department: t.field({
      type: DepartmentRef,
      nullable: true,
      description: 'The département running it.',
      resolve: (s, _args, ctx) =>
        s.deptAcronym ? ctx.loaders.departmentByAcronym.load(s.deptAcronym) : null,
    }),
    students: t.field({
      type: [StudentRef],
      nullable: true,
      description: 'Students registered in it, by name; `state` keeps one registration state only.',
      args: {
        state: t.arg({ type: RegistrationStateEnum, description: 'Only students in this state.' }),
      },
      resolve: async (s, args, ctx) => {
        const registered = await ctx.loaders.studentsOfSemester.load({
          semesterId: s.id,
          etat: args.state ? SCODOC_FROM_STATE[args.state] : null,
        });
        return registered.map((r) => r.student);
      },
    }),
    course: t.field({
      type: CourseRef,
      nullable: true,
      description: 'The linked Moodle course; null when there is none.',
      resolve: async (s, _args, ctx) => {
        const course = s.sessionId ? await ctx.loaders.courseOfSemester.load(s.sessionId) : null;
        // The course's semester is this one: its enrolments' students need not look it up again.
        if (course) ctx.loaders.semesterOfCourse.prime(course, s);
        return course;
      },
    }),
  }),
});

// ScoDoc reads a formsemestre by id one at a time: one call per representation (deduplicated).
asEntity(SemesterRef, {
  keys: ['formsemestreId'],
  resolveReference: async (rep, ctx) => {
    const id = keyOf(rep, 'formsemestreId', 'number');
    return id === null ? null : ctx.loaders.semesterById.load(idArg(id, 'formsemestreId'));
  },
});

builder.queryFields((t) => ({
  semester: t.field({
    type: SemesterRef,
    nullable: true,
    description: 'One semester by formsemestre id; null when ScoDoc has none.',
    args: { id: t.arg.int({ required: true }) },
    resolve: (_root, args, ctx) => ctx.loaders.semesterById.load(idArg(args.id)),
  }),
  semesters: t.field({
    type: [SemesterRef],
    nullable: true,
    description:
      'Semesters filtered by département, academic year and whether they are in progress.',
    args: {
      department: t.arg.string({ description: 'Département acronym.' }),
      year: t.arg.int({ description: 'Academic year (2026 for 2026-2027).' }),
      current: t.arg.boolean({ description: 'Only semesters in progress (true) or not (false).' }),
    },
    resolve: async (_root, args, ctx) => {
      const department = args.department == null ? undefined : acronymArg(args.department);
      const found = await ctx.loaders.querySemesters({
        department,
        year: args.year ?? undefined,
      });
      return args.current == null
        ? found
        : found.filter((s) => ctx.loaders.isCurrent(s) === args.current);
    },
  }),
}));
