import { z } from 'zod';
import { groupLinkRule } from './domain/group-linking';
import type { LinkingRules } from './domain/linking';

/**
 * `LINK_GROUP_PREFIX`, parsed beside the rest of the configuration, and the link rules it completes. The
 * prefix marks the Moodle groups and groupings the sync owns (`<prefix><group_id>`,
 * `<prefix>partition:<id>`): change it only before a first sync, since groups made under the old prefix are
 * no longer recognised (and a new set would be made beside them).
 */
export const groupLinkVars = {
  LINK_GROUP_PREFIX: z
    .string()
    // Moodle's idnumber column is varchar(100): the prefix leaves room for the ids.
    .max(60)
    .refine((s) => s.trim() === s && s !== '', 'a non-blank prefix without surrounding spaces')
    .refine((s) => !s.includes('<id>'), 'must not contain <id>')
    .default('scodoc:'),
};

export function linkingOf(env: {
  LINK_STUDENT_BY: LinkingRules['student'];
  LINK_DEPARTMENT_BY: LinkingRules['department'];
  LINK_SEMESTER_BY: LinkingRules['semester'];
  LINK_GROUP_PREFIX: string;
}): Required<LinkingRules> {
  return {
    student: env.LINK_STUDENT_BY,
    department: env.LINK_DEPARTMENT_BY,
    semester: env.LINK_SEMESTER_BY,
    groups: groupLinkRule(env.LINK_GROUP_PREFIX),
  };
}
