import {
  groupIdnumber,
  groupingIdnumber,
  isLinked,
  type GroupLinkRule,
} from '../domain/group-linking';
import { nipOfUser, normalizeNip } from '../domain/linking';
import { groupsOfPartition } from '../domain/mapping';
import type { CourseModel, SemesterModel } from '../domain/models';
import type { WriteDeps } from '../provisioning/context';
import type { MoodleGroup } from '../upstreams/moodle/group-schemas';
import type { EnrolledUser } from '../upstreams/moodle/schemas';
import type { RosterRow } from '../upstreams/scodoc/types';

/**
 * The groups step of a semester → course sync, planned from the current state of both systems (never from
 * a previous run, so an interrupted apply converges when planned again). ScoDoc partitions and groups
 * become Moodle groupings and groups of the course by the group link rule (idnumbers). Only groups and
 * groupings whose idnumber carries the rule's prefix are the sync's, and only course members linked to a
 * student of the semester (LINK_STUDENT_BY) are ever removed from them.
 */
export interface GroupsPlan {
  groupingsToCreate: Array<{ idnumber: string; name: string }>;
  groupsToCreate: Array<{ idnumber: string; name: string; grouping: string }>;
  /** Renamed in ScoDoc: renamed in Moodle by id (core_group_update_groups). */
  groupsToRename: Array<{ id: number; idnumber: string; from: string; to: string }>;
  /** Group idnumbers to put in their grouping (new groups, and ones taken out by hand). */
  assignmentsToAdd: Array<{ group: string; grouping: string }>;
  /** userid 0: an account the same run creates first (dry runs only: an apply plans after creating). */
  membersToAdd: Array<{ group: string; userid: number; nip: string }>;
  membersToRemove: Array<{ group: string; userid: number; nip: string }>;
  /** The sync's groups whose ScoDoc group is empty or gone: deleted only with removeEmptyGroups. */
  emptyGroupsToDelete: Array<{ id: number; idnumber: string; name: string }>;
  /** ScoDoc's name of every linked group, by idnumber: what the report shows. */
  names: Map<string, string>;
}

interface Wanted {
  idnumber: string;
  name: string;
  grouping: string;
  nips: Set<string>;
}

export async function planGroups(
  deps: WriteDeps,
  input: {
    semester: SemesterModel;
    course: CourseModel;
    rule: GroupLinkRule;
    removeEmptyGroups: boolean;
    roster?: RosterRow[];
    enrolled?: EnrolledUser[];
    /** NIP → user id of students the run's earlier steps will enrol (0: account not made yet). */
    prospective?: ReadonlyMap<string, number>;
  },
): Promise<GroupsPlan> {
  const { semester, course, rule } = input;
  const [partitions, roster, enrolled, groups, groupings] = await Promise.all([
    deps.scodoc.formsemestrePartitions(semester.id),
    input.roster ?? deps.scodoc.formsemestreEtudiants(semester.id, { etat: 'I', long: true }),
    input.enrolled ??
      deps.moodle.getEnrolledUsers(course.id, { userfields: ['id', 'idnumber', 'username'] }),
    deps.moodle.groups.courseGroups(course.id),
    deps.moodle.groups.courseGroupings(course.id),
  ]);
  const wanted = wantedGroups(partitions, roster, rule, semester.id);
  const ours = groups.filter((g) => isLinked(rule, g.idnumber));
  const oursByIdnumber = new Map(ours.map((g) => [g.idnumber!, g]));
  const [members, assigned] = await Promise.all([
    deps.moodle.groups.members(ours.map((g) => g.id)),
    assignedGroups(deps, rule, groupings),
  ]);
  const userOfNip = new Map([...(input.prospective ?? []), ...linkedUsers(deps, enrolled)]);
  const students = new Set(roster.map((r) => normalizeNip(r.code_nip)).filter((n) => n !== null));

  const plan: GroupsPlan = {
    groupingsToCreate: [],
    groupsToCreate: [],
    groupsToRename: [],
    assignmentsToAdd: [],
    membersToAdd: [],
    membersToRemove: [],
    emptyGroupsToDelete: [],
    names: new Map([...wanted.values()].map((w) => [w.idnumber, w.name])),
  };
  const groupingIdnumbers = new Set(groupings.map((g) => g.idnumber ?? ''));
  for (const [idnumber, name] of partitionNames(partitions, rule))
    if (!groupingIdnumbers.has(idnumber)) plan.groupingsToCreate.push({ idnumber, name });

  for (const w of wanted.values()) {
    const existing = oursByIdnumber.get(w.idnumber);
    if (w.nips.size === 0) continue; // emptied in ScoDoc: left alone (see the loop below)
    if (!existing)
      plan.groupsToCreate.push({ idnumber: w.idnumber, name: w.name, grouping: w.grouping });
    else if (existing.name !== w.name)
      plan.groupsToRename.push({
        id: existing.id,
        idnumber: w.idnumber,
        from: existing.name,
        to: w.name,
      });
    if (!existing || !assigned.get(w.grouping)?.has(existing.id))
      plan.assignmentsToAdd.push({ group: w.idnumber, grouping: w.grouping });
    const now = new Set(existing ? (members.get(existing.id) ?? []) : []);
    for (const nip of w.nips) {
      const userid = userOfNip.get(nip);
      if (userid !== undefined && !now.has(userid))
        plan.membersToAdd.push({ group: w.idnumber, userid, nip });
    }
    const nipOfUserid = new Map([...userOfNip].map(([nip, id]) => [id, nip]));
    for (const userid of now) {
      const nip = nipOfUserid.get(userid);
      // Teachers and hand-added members are not linked to a student of the semester: never removed.
      if (nip && students.has(nip) && !w.nips.has(nip))
        plan.membersToRemove.push({ group: w.idnumber, userid, nip });
    }
  }
  for (const g of ours) {
    const w = wanted.get(g.idnumber!);
    if (input.removeEmptyGroups && (!w || w.nips.size === 0))
      plan.emptyGroupsToDelete.push({ id: g.id, idnumber: g.idnumber!, name: g.name });
  }
  return plan;
}

type Partitions = Awaited<ReturnType<WriteDeps['scodoc']['formsemestrePartitions']>>;

/** Named partitions only: the default one (no name, every student) is not a grouping to make. */
function partitionNames(partitions: Partitions, rule: GroupLinkRule): Map<string, string> {
  return new Map(
    partitions
      .filter((p) => p.partition_name)
      .map((p) => [groupingIdnumber(rule, p.id), p.partition_name!]),
  );
}

/** ScoDoc's groups by their Moodle idnumber, each with the NIPs of its registered students. */
function wantedGroups(
  partitions: Partitions,
  roster: RosterRow[],
  rule: GroupLinkRule,
  semesterId: number,
): Map<string, Wanted> {
  const out = new Map<string, Wanted>();
  for (const p of partitions.filter((p) => p.partition_name))
    for (const g of groupsOfPartition(p, semesterId).filter((g) => g.name))
      out.set(groupIdnumber(rule, g.id), {
        idnumber: groupIdnumber(rule, g.id),
        name: g.name,
        grouping: groupingIdnumber(rule, p.id),
        nips: new Set(),
      });
  for (const row of roster) {
    const nip = normalizeNip(row.code_nip);
    if (!nip) continue;
    for (const g of row.groups ?? []) {
      const id = g.id ?? g.group_id;
      if (id !== undefined) out.get(groupIdnumber(rule, id))?.nips.add(nip);
    }
  }
  return out;
}

/** The course's members linked to a NIP by the student link rule. */
function linkedUsers(deps: WriteDeps, enrolled: EnrolledUser[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const u of enrolled) {
    const nip = nipOfUser(deps.linking, u);
    if (nip) out.set(nip, u.id);
  }
  return out;
}

/** Each of the sync's groupings → its group ids (one call for all of them). */
async function assignedGroups(
  deps: WriteDeps,
  rule: GroupLinkRule,
  groupings: Array<{ id: number; idnumber?: string | null }>,
): Promise<Map<string, Set<number>>> {
  const ours = groupings.filter((g) => isLinked(rule, g.idnumber));
  const full = await deps.moodle.groups.groupings(ours.map((g) => g.id));
  return new Map(
    full.map((g) => [g.idnumber ?? '', new Set((g.groups ?? []).map((x: MoodleGroup) => x.id))]),
  );
}
