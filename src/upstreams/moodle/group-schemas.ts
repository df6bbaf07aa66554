import { z } from 'zod';

/**
 * Zod shapes of the core_group_* calls (shared/fixtures/moodle-2026-12): what goes out, checked before the
 * call, and what comes back. Limits are the columns' (name varchar(254), idnumber varchar(100), in
 * characters): past them Moodle gives no validation error but a dml_write_exception.
 */

const id = z.number().int().positive();
/** Moodle trims names after its duplicate check: a padded name would create a second, identical one. */
const groupName = z
  .string()
  .max(254)
  .refine((s) => s.trim() === s && s !== '', 'no blank name, no surrounding spaces');
const idnumber = z
  .string()
  .max(100)
  .refine((s) => s.trim() === s, 'no surrounding spaces');

export const newGroupSchema = z
  .object({
    courseid: id,
    name: groupName,
    /** Required by Moodle, may be empty (…create_groups.error-missing-description). */
    description: z.string(),
    idnumber: idnumber.optional(),
    /** 0 only by default: a hidden group still blocks its name but is invisible without viewhiddengroups. */
    visibility: z.literal(0).optional(),
  })
  .strict();
export type NewGroup = z.infer<typeof newGroupSchema>;

/** core_group_update_groups, name only (test/fixtures/moodle-live-2026-12-01). */
export const renameSchema = z.object({ id, name: groupName }).strict();
export type GroupRename = z.infer<typeof renameSchema>;

export const newGroupingSchema = z
  .object({ courseid: id, name: groupName, description: z.string(), idnumber: idnumber.optional() })
  .strict();
export type NewGrouping = z.infer<typeof newGroupingSchema>;

export const membershipSchema = z.object({ groupid: id, userid: id }).strict();
export type Membership = z.infer<typeof membershipSchema>;

export const assignmentSchema = z.object({ groupingid: id, groupid: id }).strict();
export type GroupingAssignment = z.infer<typeof assignmentSchema>;

export const moodleGroupSchema = z.looseObject({
  id: z.number().int(),
  courseid: z.number().int(),
  name: z.string(),
  idnumber: z.string().nullable().optional(),
  visibility: z.number().int().optional(),
});
export type MoodleGroup = z.infer<typeof moodleGroupSchema>;

export const moodleGroupingSchema = z.looseObject({
  id: z.number().int(),
  courseid: z.number().int(),
  name: z.string(),
  idnumber: z.string().nullable().optional(),
  /** Only with returngroups=1, and absent when the grouping has no groups (…after-groups-deleted). */
  groups: z.array(moodleGroupSchema).optional(),
});
export type MoodleGrouping = z.infer<typeof moodleGroupingSchema>;

export const groupMembersSchema = z.array(
  z.looseObject({ groupid: z.number().int(), userids: z.array(z.number().int()) }),
);
