/**
 * The simulated Moodle's groups, groupings, group members and grouping assignments (mdl_groups,
 * mdl_groupings, mdl_groups_members, mdl_groupings_groups). Semantics are those of the 2026-12 recording
 * (shared/fixtures/moodle-2026-12, README "Groups"); the functions that read and write them are in
 * functions/groups.ts and functions/groupings.ts.
 */

export interface GroupRow {
  id: number;
  courseid: number;
  name: string;
  description: string;
  descriptionformat: number;
  /** null when never set: creates answer "" and reads answer null (core_group_create_groups.ok vs .get_*). */
  enrolmentkey: string | null;
  idnumber: string;
  visibility: number;
  participation: boolean;
}

export interface GroupingRow {
  id: number;
  courseid: number;
  name: string;
  description: string;
  descriptionformat: number;
  idnumber: string;
}

export class GroupTables {
  readonly groups = new Map<number, GroupRow>();
  readonly groupings = new Map<number, GroupingRow>();
  /** groupid → member user ids. */
  readonly members = new Map<number, Set<number>>();
  /** groupingid → group ids. */
  readonly assignments = new Map<number, Set<number>>();
  private readonly seq = { group: 1, grouping: 1 };

  /** Moves an id sequence forward, to reproduce another site's ids (the contract test does). */
  skipIdsTo(kind: 'group' | 'grouping', next: number): void {
    this.seq[kind] = Math.max(this.seq[kind], next);
  }

  /** Takes an id; a rolled-back batch does not give it back (after-rejected-batches-within: gaps). */
  nextId(kind: 'group' | 'grouping'): number {
    return this.seq[kind]++;
  }

  membersOf(groupid: number): Set<number> {
    let set = this.members.get(groupid);
    if (!set) this.members.set(groupid, (set = new Set()));
    return set;
  }

  groupsOf(groupingid: number): Set<number> {
    let set = this.assignments.get(groupingid);
    if (!set) this.assignments.set(groupingid, (set = new Set()));
    return set;
  }

  deleteGroup(id: number): void {
    this.groups.delete(id);
    this.members.delete(id);
    for (const set of this.assignments.values()) set.delete(id);
  }

  /** Deleting a grouping keeps its groups (core_group_get_groups.after-grouping-deleted). */
  deleteGrouping(id: number): void {
    this.groupings.delete(id);
    this.assignments.delete(id);
  }

  /** A snapshot for a transaction's undo. */
  snapshot(): () => void {
    const groups = new Map([...this.groups].map(([k, g]) => [k, { ...g }]));
    const groupings = new Map([...this.groupings].map(([k, g]) => [k, { ...g }]));
    const members = new Map([...this.members].map(([k, s]) => [k, new Set(s)]));
    const assignments = new Map([...this.assignments].map(([k, s]) => [k, new Set(s)]));
    return () => {
      restore(this.groups, groups);
      restore(this.groupings, groupings);
      restore(this.members, members);
      restore(this.assignments, assignments);
    };
  }
}

function restore<K, V>(target: Map<K, V>, saved: Map<K, V>): void {
  target.clear();
  for (const [k, v] of saved) target.set(k, v);
}

/** Moodle compares idnumbers with PHP `==`: two numeric strings compare as numbers ("0123" == "123"). */
export function phpLooseEqual(a: string, b: string): boolean {
  const numeric = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) === Number(b);
  return a === b;
}

/** Course groups and groupings come sorted by name (then id, for the duplicate names trimming allows). */
export function byName<T extends { name: string; id: number }>(a: T, b: T): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id - b.id;
}
