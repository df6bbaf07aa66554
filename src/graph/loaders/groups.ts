import DataLoader from 'dataloader';
import { DEFAULT_GROUP_LINK, groupIdnumber } from '../../domain/group-linking';
import type { LinkingRules } from '../../domain/linking';
import type { GroupModel, MoodleAccountModel, MoodleGroupModel } from '../../domain/models';
import type { MoodleClient } from '../../upstreams/moodle/client';
import type { createLinkLoaders } from './links';
import type { createMoodleLoaders } from './moodle';
import type { createScodocLoaders } from './scodoc';
import { eachKey } from './support';

/**
 * Moodle groups in the graph, and their link to ScoDoc's by the group link rule (src/domain/group-linking.ts):
 *   a course's groups: one core_group_get_course_groups per course (it takes one course id)
 *   the members of any number of groups: one core_group_get_group_members, then one users-by-id look-up
 *   a ScoDoc group's Moodle group: its semester's course (the course link rule), that course's groups
 *   a Moodle group's ScoDoc group: the course's semester, that semester's groups (one ScoDoc call each)
 */
export function createGroupLoaders(
  deps: { moodle: MoodleClient; linking: LinkingRules },
  scodoc: ReturnType<typeof createScodocLoaders>,
  moodle: ReturnType<typeof createMoodleLoaders>,
  links: ReturnType<typeof createLinkLoaders>,
) {
  const rule = deps.linking.groups ?? DEFAULT_GROUP_LINK;

  const groupsOfCourse = new DataLoader<number, MoodleGroupModel[]>((courseIds) =>
    eachKey(courseIds, async (courseId) =>
      (await deps.moodle.groups.courseGroups(courseId)).map((g): MoodleGroupModel => ({
        kind: 'MoodleGroup',
        id: g.id,
        courseId: g.courseid,
        name: g.name,
        idnumber: g.idnumber || null,
      })),
    ),
  );

  const memberIdsOfGroup = new DataLoader<number, number[]>(async (groupIds) => {
    const members = await deps.moodle.groups.members(groupIds);
    return groupIds.map((id) => members.get(id) ?? []);
  });

  const membersOfGroup = new DataLoader<number, MoodleAccountModel[]>(async (groupIds) => {
    const ids = await memberIdsOfGroup.loadMany(groupIds);
    const everyone = [...new Set(ids.flatMap((x) => (x instanceof Error ? [] : x)))];
    const accounts = await moodle.usersBy.id.loadMany(everyone.map(String));
    const byId = new Map(
      accounts.flatMap((a) => (a instanceof Error ? [] : a)).map((a) => [a.id, a] as const),
    );
    return ids.map((x) =>
      x instanceof Error ? x : x.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])),
    );
  });

  const moodleGroupOf = new DataLoader<GroupModel, MoodleGroupModel | null, number>(
    (groups) =>
      eachKey(groups, async (group) => {
        const semester = await scodoc.semesterById.load(group.semesterId);
        const course = semester?.sessionId
          ? await links.courseOfSemester.load(semester.sessionId)
          : null;
        if (!course) return null;
        const idnumber = groupIdnumber(rule, group.id);
        return (await groupsOfCourse.load(course.id)).find((g) => g.idnumber === idnumber) ?? null;
      }),
    { cacheKeyFn: (g) => g.id },
  );

  const scodocGroupOf = new DataLoader<MoodleGroupModel, GroupModel | null, number>(
    (groups) =>
      eachKey(groups, async (group) => {
        if (!group.idnumber) return null;
        const course = await moodle.courseById.load(group.courseId);
        const semester = course ? await links.semesterOfCourse.load(course) : null;
        if (!semester) return null;
        const candidates = await scodoc.groupsOfSemester.load(semester.id);
        return candidates.find((g) => groupIdnumber(rule, g.id) === group.idnumber) ?? null;
      }),
    { cacheKeyFn: (g) => g.id },
  );

  return { groupsOfCourse, membersOfGroup, moodleGroupOf, scodocGroupOf };
}
