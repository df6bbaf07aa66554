import { multiple, single, v } from '../params';
import type { MoodleStore } from '../store';
import { byName, phpLooseEqual, type GroupingRow } from '../group-tables';
import {
  invalidParameter,
  missingRecord,
  moodleException,
  transaction,
  type WsFunction,
} from './shared';
import { requireGroup } from './groups';

/**
 * core_group_* for groupings, as recorded on Moodle 5.0.6 (shared/fixtures/moodle-2026-12). A grouping's
 * name and idnumber are unique per course, in an idnumber space of their own (…ok-idnumber-of-a-group).
 */

const missing = (table: string, sql: string, id: number) =>
  missingRecord(
    'invalidrecord',
    `Can't find data record in database table ${table}.`,
    `${sql}\n[array (\n  0 => ${id},\n)]`,
  );

/** The grouping functions look the course up themselves: invalidrecord, not errorcoursecontextnotvalid. */
function requireCourseRow(store: MoodleStore, id: number): void {
  if (!store.courses.has(id))
    throw missing('course', 'SELECT id,category FROM {course} WHERE id = ?', id);
}

function requireGrouping(store: MoodleStore, id: number, sql: string): GroupingRow {
  const g = store.groups.groupings.get(id);
  if (!g) throw missing('groupings', sql, id);
  return g;
}

type NewGrouping = Omit<GroupingRow, 'id'>;

function createGrouping(store: MoodleStore, g: NewGrouping): GroupingRow {
  requireCourseRow(store, g.courseid);
  const inCourse = [...store.groups.groupings.values()].filter((x) => x.courseid === g.courseid);
  if (inCourse.some((x) => x.name === g.name))
    throw invalidParameter('Grouping with the same name already exists in the course');
  // Trimming and PHP == are recorded for groups; the grouping code shares them (not recorded separately).
  const idnumber = g.idnumber.trim();
  if (idnumber !== '' && inCourse.some((x) => phpLooseEqual(x.idnumber, idnumber)))
    throw moodleException('idnumbertaken', 'This ID number is already in use');
  const row: GroupingRow = {
    ...g,
    name: g.name.trim(),
    idnumber,
    id: store.groups.nextId('grouping'),
  };
  store.groups.groupings.set(row.id, row);
  return row;
}

/** The groups of a grouping, by id, without visibility/participation (…get_groupings.returngroups). */
function groupsJson(store: MoodleStore, groupingid: number) {
  return [...store.groups.groupsOf(groupingid)]
    .sort((a, b) => a - b)
    .map((id) => store.groups.groups.get(id))
    .filter((g) => g !== undefined)
    .map((g) => ({
      id: g.id,
      courseid: g.courseid,
      name: g.name,
      description: g.description,
      descriptionformat: g.descriptionformat,
      enrolmentkey: g.enrolmentkey,
      idnumber: g.idnumber,
      customfields: [],
    }));
}

export const GROUPING_FUNCTIONS: Record<string, WsFunction> = {
  core_group_create_groupings: {
    params: single({
      groupings: multiple(
        single({
          courseid: v('int'),
          name: v('text'),
          description: v('raw'),
          descriptionformat: v('int', { default: 1 }),
          idnumber: v('raw', { default: '' }),
          customfields: multiple(single({ shortname: v('alphanumext'), value: v('raw') }), {
            optional: true,
          }),
        }),
      ),
    }),
    run: (p: { groupings: Array<NewGrouping & { customfields?: unknown }> }, store) =>
      transaction(
        () =>
          p.groupings.map(({ customfields: _ignored, ...g }) => ({ ...createGrouping(store, g) })),
        store.groups.snapshot(),
      ),
  },

  core_group_get_course_groupings: {
    params: single({ courseid: v('int') }),
    run: (p: { courseid: number }, store) => {
      requireCourseRow(store, p.courseid);
      // Sorted by name, no `groups` key (…get_course_groupings.ok).
      return [...store.groups.groupings.values()]
        .filter((g) => g.courseid === p.courseid)
        .sort(byName)
        .map((g) => ({ ...g }));
    },
  },

  core_group_get_groupings: {
    params: single({
      groupingids: multiple(v('int')),
      returngroups: v('bool', { default: false }),
    }),
    run: (p: { groupingids: number[]; returngroups: boolean }, store) =>
      p.groupingids.map((id) => {
        const g = requireGrouping(store, id, 'SELECT * FROM {groupings} WHERE id = ?');
        const groups = p.returngroups ? groupsJson(store, id) : [];
        // A grouping without groups has no `groups` key at all (…after-groups-deleted).
        return { ...g, customfields: [], ...(groups.length > 0 ? { groups } : {}) };
      }),
  },

  core_group_assign_grouping: {
    params: single({
      assignments: multiple(single({ groupingid: v('int'), groupid: v('int') })),
    }),
    run: (p: { assignments: Array<{ groupingid: number; groupid: number }> }, store) => {
      for (const a of p.assignments) {
        requireGrouping(store, a.groupingid, 'SELECT id, courseid FROM {groupings} WHERE id = ?');
        requireGroup(store, a.groupid, 'SELECT id, courseid FROM {groups} WHERE id = ?');
      }
      // No course check (…ok-cross-course-group); assigning again is a no-op (…ok-idempotent).
      for (const a of p.assignments) store.groups.groupsOf(a.groupingid).add(a.groupid);
      return null;
    },
  },

  core_group_delete_groupings: {
    params: single({ groupingids: multiple(v('int')) }),
    run: (p: { groupingids: number[] }, store) => {
      // Unknown ids are skipped (…delete_groupings.ok-unknown-id).
      for (const id of p.groupingids) store.groups.deleteGrouping(id);
      return null;
    },
  },
};
