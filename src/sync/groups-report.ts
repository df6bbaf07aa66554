import type { GroupsPlan } from './groups-plan';

/**
 * The groups step in a sync report: counts planned and done, and the change of every group the plan
 * touches (the membership diff a teacher checks before an apply).
 */
export interface GroupsReport {
  groupingsToCreate: number;
  groupingsCreated: number;
  groupsToCreate: number;
  groupsCreated: number;
  membersToAdd: number;
  membersAdded: number;
  membersToRemove: number;
  membersRemoved: number;
  groupsToDelete: number;
  groupsDeleted: number;
  groupsToRename: number;
  groupsRenamed: number;
  changes: GroupChange[];
}

/** One Moodle group the plan changes, by its idnumber; NIPs of the members to add and to remove. */
export interface GroupChange {
  idnumber: string;
  name: string;
  action: 'CREATE' | 'RENAME' | 'DELETE' | 'MEMBERS';
  renamedFrom: string | null;
  add: string[];
  remove: string[];
}

export function groupsReportOf(plan: GroupsPlan): GroupsReport {
  return {
    groupingsToCreate: plan.groupingsToCreate.length,
    groupingsCreated: 0,
    groupsToCreate: plan.groupsToCreate.length,
    groupsCreated: 0,
    membersToAdd: plan.membersToAdd.length,
    membersAdded: 0,
    membersToRemove: plan.membersToRemove.length,
    membersRemoved: 0,
    groupsToDelete: plan.emptyGroupsToDelete.length,
    groupsDeleted: 0,
    groupsToRename: plan.groupsToRename.length,
    groupsRenamed: 0,
    changes: changesOf(plan),
  };
}

function changesOf(plan: GroupsPlan): GroupChange[] {
  const out = new Map<string, GroupChange>();
  const at = (idnumber: string, name = plan.names.get(idnumber) ?? idnumber) => {
    const c = out.get(idnumber) ?? {
      idnumber,
      name,
      action: 'MEMBERS' as const,
      renamedFrom: null,
      add: [],
      remove: [],
    };
    out.set(idnumber, c);
    return c;
  };
  for (const g of plan.groupsToCreate) at(g.idnumber, g.name).action = 'CREATE';
  for (const g of plan.emptyGroupsToDelete) at(g.idnumber, g.name).action = 'DELETE';
  for (const r of plan.groupsToRename) {
    const c = at(r.idnumber, r.to);
    c.action = 'RENAME';
    c.renamedFrom = r.from;
  }
  for (const m of plan.membersToAdd) at(m.group).add.push(m.nip);
  for (const m of plan.membersToRemove) at(m.group).remove.push(m.nip);
  return [...out.values()].sort((a, b) => a.idnumber.localeCompare(b.idnumber));
}
