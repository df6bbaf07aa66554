import { GroupRef, MoodleGroupRef, SemesterRef, StudentRef } from '../refs';

GroupRef.implement({
  description:
    'A group of students in a semester (ScoDoc groupe): a TD or TP group, a BUT track, a language group…, in its partition.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: "ScoDoc's group id." }),
    name: t.exposeString('name', { description: 'Group name, e.g. "TD A".' }),
    partition: t.exposeString('partition', {
      nullable: true,
      description: 'The partition it belongs to: "TD", "TP", "Parcours"…',
    }),
    semester: t.field({
      type: SemesterRef,
      nullable: true,
      description: 'The semester the group is part of.',
      resolve: (g, _args, ctx) => ctx.loaders.semesterById.load(g.semesterId),
    }),
    students: t.field({
      type: [StudentRef],
      nullable: true,
      description: 'Students of the group, by name (one ScoDoc call per group).',
      resolve: (g, _args, ctx) => ctx.loaders.studentsOfGroup.load(g.id),
    }),
    moodleGroup: t.field({
      type: MoodleGroupRef,
      nullable: true,
      description:
        "The Moodle group of the semester's course that the group link rule ties to this group (idnumber `scodoc:<id>` by default); null when the sync has not made it, or the semester has no course.",
      resolve: (g, _args, ctx) => ctx.loaders.moodleGroupOf.load(g),
    }),
  }),
});
