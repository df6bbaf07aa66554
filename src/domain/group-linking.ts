/**
 * The group link rule: a ScoDoc group is the Moodle group of the semester's course whose idnumber is
 * `<prefix><group_id>`, a ScoDoc partition the grouping whose idnumber is `<prefix>partition:<id>`
 * (LINK_GROUP_PREFIX, default `scodoc:`). Names come from ScoDoc. Moodle keeps group and grouping idnumbers
 * in separate spaces (shared/fixtures/moodle-2026-12, …ok-idnumber-of-a-group), but distinct templates keep
 * them readable. Only groups and groupings whose idnumber starts with the prefix are the sync's.
 */
export interface GroupLinkRule {
  /** What marks a Moodle group or grouping as made by the sync: never touch one without it. */
  prefix: string;
  /** Template of a group's idnumber; `<id>` is ScoDoc's group id. */
  group: string;
  /** Template of a grouping's idnumber; `<id>` is ScoDoc's partition id. */
  grouping: string;
}

export const groupLinkRule = (prefix: string): GroupLinkRule => ({
  prefix,
  group: `${prefix}<id>`,
  grouping: `${prefix}partition:<id>`,
});

export const DEFAULT_GROUP_LINK: GroupLinkRule = groupLinkRule('scodoc:');

export const groupIdnumber = (rule: GroupLinkRule, groupId: number) =>
  rule.group.replace('<id>', String(groupId));
export const groupingIdnumber = (rule: GroupLinkRule, partitionId: number) =>
  rule.grouping.replace('<id>', String(partitionId));
/** Whether a Moodle group or grouping is the sync's to change (made under the rule's prefix). */
export const isLinked = (rule: GroupLinkRule, idnumber: string | null | undefined) =>
  idnumber?.startsWith(rule.prefix) ?? false;
