/**
 * The group link rule: a ScoDoc group is the Moodle group of the semester's course whose idnumber is the
 * group's template filled in (default `scodoc:<group_id>`), a ScoDoc partition the grouping whose idnumber
 * is the partition's (default `scodoc:partition:<id>`). Names come from ScoDoc. Moodle keeps group and
 * grouping idnumbers in separate spaces (shared/fixtures/moodle-2026-12, …ok-idnumber-of-a-group), but
 * distinct templates keep them readable. Only groups and groupings under GROUP_LINK_PREFIX are the sync's.
 */
export interface GroupLinkRule {
  /** Template of a group's idnumber; `<id>` is ScoDoc's group id. */
  group: string;
  /** Template of a grouping's idnumber; `<id>` is ScoDoc's partition id. */
  grouping: string;
}

export const DEFAULT_GROUP_LINK: GroupLinkRule = {
  group: 'scodoc:<id>',
  grouping: 'scodoc:partition:<id>',
};

/** What marks a Moodle group or grouping as made by the sync: never touch one without it. */
export const GROUP_LINK_PREFIX = 'scodoc:';

export const groupIdnumber = (rule: GroupLinkRule, groupId: number) =>
  rule.group.replace('<id>', String(groupId));
export const groupingIdnumber = (rule: GroupLinkRule, partitionId: number) =>
  rule.grouping.replace('<id>', String(partitionId));
