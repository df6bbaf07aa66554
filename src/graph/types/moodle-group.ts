import { CourseRef, GroupRef, MoodleAccountRef, MoodleGroupRef } from '../refs';

MoodleGroupRef.implement({
  description:
    'A group of a Moodle course. The groups the sync makes carry the idnumber of a ScoDoc group (the group link rule) and its name.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: 'Moodle group id.' }),
    name: t.exposeString('name', { description: 'Its name in Moodle, e.g. "TD A".' }),
    idnumber: t.exposeString('idnumber', {
      nullable: true,
      description: '`scodoc:<group_id>` (by default) for a group the sync made; null when none.',
    }),
    course: t.field({
      type: CourseRef,
      nullable: true,
      description: 'The course it belongs to.',
      resolve: (g, _args, ctx) => ctx.loaders.courseById.load(g.courseId),
    }),
    members: t.field({
      type: [MoodleAccountRef],
      nullable: true,
      description:
        "Its members' accounts (one Moodle call for the members of every group asked, one for their accounts).",
      resolve: (g, _args, ctx) => ctx.loaders.membersOfGroup.load(g.id),
    }),
    scodocGroup: t.field({
      type: GroupRef,
      nullable: true,
      description:
        "The ScoDoc group the link rule ties it to (a group of the course's semester); null for a group the sync did not make.",
      resolve: (g, _args, ctx) => ctx.loaders.scodocGroupOf.load(g),
    }),
  }),
});
