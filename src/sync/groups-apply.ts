import {
  applyIsolatingFailures,
  newHalt,
  type BatchOutcome,
  type Halt,
  type NipFailure,
} from '../provisioning/batches';
import type { WriteDeps } from '../provisioning/context';
import { isUpstreamError } from '../upstreams/errors';
import type { GroupsPlan } from './groups-plan';
import type { SyncFailure } from './plan';

/**
 * Applies a groups plan in dependency order: groupings, groups, renames, grouping assignments, members added, members
 * removed, then (with removeEmptyGroups) the emptied groups deleted. Every call carries many items (members
 * of many groups in one request, chunked under the form budget), never one call per student. Creates are
 * keyed by idnumber, so a crash at any point is repaired by planning again: what exists is found, not made
 * twice (Moodle would refuse a second group with the same idnumber anyway: `idnumbertaken`).
 *
 * Each kind of write goes through applyIsolatingFailures, as the account steps do: a refused request is
 * bisected to the group or member Moodle refuses, a refusal every item shares halts that kind with one
 * line, and the other kinds still run. Nothing here throws for an upstream's refusal: the enrolment steps'
 * report must survive a failed groups step.
 */
export interface GroupsApplied {
  groupingsCreated: number;
  groupsCreated: number;
  membersAdded: number;
  membersRemoved: number;
  groupsDeleted: number;
  groupsRenamed: number;
  failures: SyncFailure[];
  unknown: SyncFailure[];
  /** Ids of the groups created, renamed and deleted, for the audit trail. */
  createdIds: number[];
  renamedIds: number[];
  deletedIds: number[];
}

/** A write's item: `nip` is the student's for members, the group's idnumber otherwise (batches.ts keys). */
type Keyed<T> = T & { nip: string; student: boolean };

/** Moodle's reply to one write: how many were done, and the failure lines of the rest. */
async function isolated<T>(
  out: GroupsApplied,
  what: string,
  items: Array<Keyed<T>>,
  write: (batch: Array<Keyed<T>>) => Promise<void>,
): Promise<BatchOutcome<Keyed<T>>> {
  const failures: NipFailure[] = [];
  const halt: Halt = newHalt();
  const outcome: BatchOutcome<Keyed<T>> = { done: [], uncertain: [] };
  if (items.length > 0) await applyIsolatingFailures(items, write, failures, halt, outcome);
  const line = (item: Keyed<T> | undefined, message: string): SyncFailure => ({
    nip: item?.student ? item.nip : null,
    step: 'groups',
    message: item && !item.student ? `${what} ${item.nip}: ${message}` : `${what}: ${message}`,
  });
  const byKey = new Map(items.map((i) => [i.nip, i]));
  for (const f of failures) out.failures.push(line(byKey.get(f.nip), f.message));
  if (halt.reason)
    out.failures.push(
      line(
        undefined,
        `${halt.reason.message} (${halt.skipped} item(s) not sent: this kind stopped)`,
      ),
    );
  return outcome;
}

export async function applyGroups(
  deps: WriteDeps,
  courseId: number,
  plan: GroupsPlan,
  progress: (done: number, total: number) => void = () => {},
): Promise<GroupsApplied> {
  const g = deps.moodle.groups;
  const out: GroupsApplied = {
    groupingsCreated: 0,
    groupsCreated: 0,
    membersAdded: 0,
    membersRemoved: 0,
    groupsDeleted: 0,
    groupsRenamed: 0,
    failures: [],
    unknown: [],
    createdIds: [],
    renamedIds: [],
    deletedIds: [],
  };
  const total =
    plan.groupingsToCreate.length +
    plan.groupsToCreate.length +
    plan.groupsToRename.length +
    plan.assignmentsToAdd.length +
    plan.membersToAdd.length +
    plan.membersToRemove.length +
    plan.emptyGroupsToDelete.length;
  let done = 0;
  const tick = (n: number) => progress((done += n), total);
  const key = (idnumber: string) => ({ nip: idnumber, student: false });

  const groupings = await isolated(
    out,
    'Grouping',
    plan.groupingsToCreate.map((x) => ({ ...x, ...key(x.idnumber) })),
    async (b) => {
      await g.createGroupings(
        b.map((x) => ({ courseid: courseId, name: x.name, idnumber: x.idnumber, description: '' })),
      );
    },
  );
  tick(plan.groupingsToCreate.length);
  const groups = await isolated(
    out,
    'Group',
    plan.groupsToCreate.map((x) => ({ ...x, ...key(x.idnumber) })),
    async (b) => {
      await g.createGroups(
        b.map((x) => ({ courseid: courseId, name: x.name, idnumber: x.idnumber, description: '' })),
      );
    },
  );
  tick(plan.groupsToCreate.length);
  // Names follow ScoDoc's. Renamed by id, one batch (all or nothing: bisected like the others); a name another
  // group of the course holds is refused (test/fixtures/moodle-live-2026-12-01).
  const renamed = await isolated(
    out,
    'Renaming group',
    plan.groupsToRename.map((x) => ({ id: x.id, name: x.to, ...key(x.idnumber) })),
    (b) => g.renameGroups(b.map(({ id, name }) => ({ id, name }))),
  );
  out.groupsRenamed = renamed.done.length;
  out.renamedIds = renamed.done.map((x) => x.id);
  unknownOf(out, renamed, 'Renaming group');
  tick(plan.groupsToRename.length);
  // Ids by idnumber, read once after the creates: the course's groups and groupings as they now are. The
  // same read settles creates whose answer was lost: made if their idnumber is there now.
  const state = await readState(deps, courseId);
  if (!state) {
    out.failures.push({
      nip: null,
      step: 'groups',
      message:
        'The course groups could not be read back after creating them: members not handled (re-run the sync)',
    });
    return out;
  }
  const { groupId, groupingId } = state;
  const made = <T extends { nip: string }>(o: BatchOutcome<T>, ids: Map<string, number>) => {
    for (const u of o.uncertain)
      if (!ids.has(u.item.nip))
        out.failures.push({ nip: null, step: 'groups', message: `${u.item.nip}: ${u.message}` });
    return [...o.done, ...o.uncertain.map((u) => u.item)].filter((x) => ids.has(x.nip));
  };
  out.groupingsCreated = made(groupings, groupingId).length;
  const createdGroups = made(groups, groupId);
  out.groupsCreated = createdGroups.length;
  out.createdIds = createdGroups.map((x) => groupId.get(x.nip)!);

  const assignments = plan.assignmentsToAdd.flatMap((a) => {
    const groupid = groupId.get(a.group);
    const groupingid = groupingId.get(a.grouping);
    return groupid && groupingid ? [{ groupid, groupingid, ...key(a.group) }] : [];
  });
  const assigned = await isolated(out, 'Grouping assignment of', assignments, (b) =>
    g.assignToGroupings(b.map(({ groupid, groupingid }) => ({ groupid, groupingid }))),
  );
  unknownOf(out, assigned, 'Grouping assignment of');
  tick(plan.assignmentsToAdd.length);

  const members = (list: GroupsPlan['membersToAdd']) =>
    list.flatMap((m) => {
      const groupid = groupId.get(m.group);
      return groupid
        ? [{ groupid, userid: m.userid, nip: m.nip, student: true, group: m.group }]
        : [];
    });
  const strip = (b: Array<{ groupid: number; userid: number }>) =>
    b.map(({ groupid, userid }) => ({ groupid, userid }));
  const added = await isolated(out, 'Member of', members(plan.membersToAdd), (b) =>
    g.addMembers(strip(b)),
  );
  out.membersAdded = added.done.length;
  unknownOf(out, added, 'Member added to');
  tick(plan.membersToAdd.length);
  const removed = await isolated(out, 'Member of', members(plan.membersToRemove), (b) =>
    g.removeMembers(strip(b)),
  );
  out.membersRemoved = removed.done.length;
  unknownOf(out, removed, 'Member removed from');
  tick(plan.membersToRemove.length);

  const deleted = await isolated(
    out,
    'Group',
    plan.emptyGroupsToDelete.map((x) => ({ id: x.id, ...key(x.idnumber) })),
    (b) => g.deleteGroups(b.map((x) => x.id)),
  );
  out.groupsDeleted = deleted.done.length;
  out.deletedIds = deleted.done.map((x) => x.id);
  unknownOf(out, deleted, 'Deleting group');
  tick(plan.emptyGroupsToDelete.length);
  return out;
}

/** Lost answers of idempotent writes: left as unknown, since the next run plans them again if undone. */
function unknownOf<T extends { nip: string; student: boolean; group?: string }>(
  out: GroupsApplied,
  o: BatchOutcome<T>,
  what: string,
) {
  for (const u of o.uncertain)
    out.unknown.push({
      nip: u.item.student ? u.item.nip : null,
      step: 'groups',
      message: `${what} ${u.item.group ?? u.item.nip}: ${u.message}`,
    });
}

async function readState(deps: WriteDeps, courseId: number) {
  try {
    const [groups, groupings] = await Promise.all([
      deps.moodle.groups.courseGroups(courseId),
      deps.moodle.groups.courseGroupings(courseId),
    ]);
    return {
      groupId: new Map(groups.map((x) => [x.idnumber ?? '', x.id])),
      groupingId: new Map(groupings.map((x) => [x.idnumber ?? '', x.id])),
    };
  } catch (err) {
    if (!isUpstreamError(err)) throw err;
    return null;
  }
}
