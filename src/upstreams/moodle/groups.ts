import { z } from 'zod';
import { inChunks } from './chunks';
import { chunkByBudget } from './form';
import {
  assignmentSchema,
  groupMembersSchema,
  membershipSchema,
  moodleGroupingSchema,
  moodleGroupSchema,
  newGroupingSchema,
  newGroupSchema,
  renameSchema,
  type GroupRename,
  type GroupingAssignment,
  type Membership,
  type MoodleGroup,
  type MoodleGrouping,
  type NewGroup,
  type NewGrouping,
} from './group-schemas';
import { checked, nullBody } from './schemas';
import type { MoodleTransport } from './transport';

/**
 * Typed wrappers for Moodle's core_group_* functions, as recorded on Moodle 5.0.6
 * (shared/fixtures/moodle-2026-12). Every write is all-or-nothing per request (one bad item and nothing of
 * it is applied; MoodleBatchError when earlier chunks were); member, assignment and delete calls are
 * idempotent and answer null. Lookups by id fail whole (`invalidrecord`) on one unknown id.
 */
export class MoodleGroups {
  constructor(
    private readonly transport: MoodleTransport,
    private readonly budget: number,
  ) {}

  /** Sorted by name. Groups with visibility ≠ 0 are left out unless the account has viewhiddengroups. */
  async courseGroups(courseId: number): Promise<MoodleGroup[]> {
    const reply = z.array(moodleGroupSchema);
    return (
      await this.transport.call('core_group_get_course_groups', { courseid: courseId }, reply)
    ).data;
  }

  /** Sorted by name; without their groups (see groupings()). */
  async courseGroupings(courseId: number): Promise<MoodleGrouping[]> {
    const reply = z.array(moodleGroupingSchema);
    const params = { courseid: courseId };
    return (await this.transport.call('core_group_get_course_groupings', params, reply)).data;
  }

  /** By id, in input order, with their groups; one unknown id fails the call. */
  async groupings(ids: readonly number[]): Promise<MoodleGrouping[]> {
    return this.readChunks(ids, 1, (chunk) =>
      this.transport.call(
        'core_group_get_groupings',
        { groupingids: chunk, returngroups: true },
        z.array(moodleGroupingSchema),
      ),
    );
  }

  /** By id, in input order, hidden ones included; one unknown id fails the call. */
  async groups(ids: readonly number[]): Promise<MoodleGroup[]> {
    return this.readChunks(ids, 0, (chunk) =>
      this.transport.call('core_group_get_groups', { groupids: chunk }, z.array(moodleGroupSchema)),
    );
  }

  /** Member user ids per group (one call for many groups); a hidden group's come back empty. */
  async members(groupIds: readonly number[]): Promise<Map<number, number[]>> {
    const rows = await this.readChunks(groupIds, 0, (chunk) =>
      this.transport.call('core_group_get_group_members', { groupids: chunk }, groupMembersSchema),
    );
    return new Map(rows.map((r) => [r.groupid, r.userids]));
  }

  async createGroups(groups: readonly NewGroup[]): Promise<MoodleGroup[]> {
    return this.create(
      'core_group_create_groups',
      'groups',
      newGroupSchema,
      groups,
      moodleGroupSchema,
    );
  }

  async createGroupings(groupings: readonly NewGrouping[]): Promise<MoodleGrouping[]> {
    const reply = moodleGroupingSchema;
    return this.create(
      'core_group_create_groupings',
      'groupings',
      newGroupingSchema,
      groupings,
      reply,
    );
  }

  /** Members must be enrolled in the group's course (`invalidparameter` otherwise). */
  async addMembers(members: readonly Membership[]): Promise<void> {
    await this.write('core_group_add_group_members', 'members', membershipSchema, members);
  }

  async removeMembers(members: readonly Membership[]): Promise<void> {
    await this.write('core_group_delete_group_members', 'members', membershipSchema, members);
  }

  /**
   * Renames groups: one batch, all or nothing; a name another group of the course holds is refused
   * (test/fixtures/moodle-live-2026-12-01, recorded by the project: the shared recordings lack the function).
   */
  async renameGroups(renames: readonly GroupRename[]): Promise<void> {
    await this.write('core_group_update_groups', 'groups', renameSchema, renames);
  }

  /** Moodle does not check that the group is of the grouping's course: callers must. */
  async assignToGroupings(assignments: readonly GroupingAssignment[]): Promise<void> {
    await this.write('core_group_assign_grouping', 'assignments', assignmentSchema, assignments);
  }

  /** Unknown ids are skipped; members and grouping assignments go with the groups. */
  async deleteGroups(ids: readonly number[]): Promise<void> {
    await inChunks(ids, this.budget, async (chunk) => {
      await this.transport.call('core_group_delete_groups', { groupids: chunk }, nullBody);
      return chunk.length;
    });
  }

  /** Unknown ids are skipped; the groups stay. */
  async deleteGroupings(ids: readonly number[]): Promise<void> {
    await inChunks(ids, this.budget, async (chunk) => {
      await this.transport.call('core_group_delete_groupings', { groupingids: chunk }, nullBody);
      return chunk.length;
    });
  }

  /** Reads go out together, each chunk under the budget (`extra`: the call's other form values). */
  private async readChunks<R>(
    ids: readonly number[],
    extra: number,
    call: (chunk: number[]) => Promise<{ data: R[] }>,
  ): Promise<R[]> {
    if (ids.length === 0) return [];
    const chunks = chunkByBudget([...new Set(ids)], this.budget, extra);
    return (await Promise.all(chunks.map(call))).flatMap((r) => r.data);
  }

  private async create<T, R>(
    wsfunction: string,
    key: string,
    schema: z.ZodType<T>,
    items: readonly T[],
    reply: z.ZodType<R>,
  ): Promise<R[]> {
    const created: R[] = [];
    await inChunks(checked(wsfunction, schema, items), this.budget, async (chunk) => {
      const params = { [key]: chunk.map((item) => ({ ...(item as object) })) };
      created.push(...(await this.transport.call(wsfunction, params, z.array(reply))).data);
      return chunk.length;
    });
    return created;
  }

  private async write<T>(
    wsfunction: string,
    key: string,
    schema: z.ZodType<T>,
    items: readonly T[],
  ): Promise<void> {
    await inChunks(checked(wsfunction, schema, items), this.budget, async (chunk) => {
      const params = { [key]: chunk.map((item) => ({ ...(item as object) })) };
      await this.transport.call(wsfunction, params, nullBody);
      return chunk.length;
    });
  }
}
