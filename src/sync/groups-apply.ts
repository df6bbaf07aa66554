import type { WriteDeps } from '../provisioning/context';
import type { GroupsPlan } from './groups-plan';

/**
 * Applies a groups plan in dependency order: groupings, groups, grouping assignments, members added, members
 * removed, then (with removeEmptyGroups) the emptied groups deleted. Every call carries many items (members
 * of many groups in one request, chunked under the form budget), never one call per student. Creates are
 * keyed by idnumber, so a crash at any point is repaired by planning again: what exists is found, not made
 * twice (Moodle would refuse a second group with the same idnumber anyway: `idnumbertaken`).
 */
export interface GroupsReport {
  groupingsCreated: number;
  groupsCreated: number;
  membersAdded: number;
  membersRemoved: number;
  groupsDeleted: number;
}

export async function applyGroups(
  deps: WriteDeps,
  courseId: number,
  plan: GroupsPlan,
): Promise<GroupsReport> {
  const g = deps.moodle.groups;
  const report: GroupsReport = {
    groupingsCreated: 0,
    groupsCreated: 0,
    membersAdded: 0,
    membersRemoved: 0,
    groupsDeleted: 0,
  };
  const made = await g.createGroupings(
    plan.groupingsToCreate.map((x) => ({ courseid: courseId, description: '', ...x })),
  );
  report.groupingsCreated = made.length;
  const created = await g.createGroups(
    plan.groupsToCreate.map((x) => ({
      courseid: courseId,
      name: x.name,
      idnumber: x.idnumber,
      description: '',
    })),
  );
  report.groupsCreated = created.length;
  // Ids by idnumber, read once after the creates: the course's groups and groupings as they now are.
  const [groups, groupings] = await Promise.all([
    g.courseGroups(courseId),
    g.courseGroupings(courseId),
  ]);
  const groupId = new Map(groups.map((x) => [x.idnumber ?? '', x.id]));
  const groupingId = new Map(groupings.map((x) => [x.idnumber ?? '', x.id]));
  const assignments = plan.assignmentsToAdd.flatMap((a) => {
    const groupid = groupId.get(a.group);
    const groupingid = groupingId.get(a.grouping);
    return groupid && groupingid ? [{ groupid, groupingid }] : [];
  });
  await g.assignToGroupings(assignments);
  const members = (list: GroupsPlan['membersToAdd']) =>
    list.flatMap((m) => {
      const groupid = groupId.get(m.group);
      return groupid ? [{ groupid, userid: m.userid }] : [];
    });
  const toAdd = members(plan.membersToAdd);
  await g.addMembers(toAdd);
  report.membersAdded = toAdd.length;
  const toRemove = members(plan.membersToRemove);
  await g.removeMembers(toRemove);
  report.membersRemoved = toRemove.length;
  await g.deleteGroups(plan.emptyGroupsToDelete.map((x) => x.id));
  report.groupsDeleted = plan.emptyGroupsToDelete.length;
  return report;
}
