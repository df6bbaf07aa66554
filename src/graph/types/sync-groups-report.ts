import type { GroupChange, GroupsReport } from '../../sync/groups-report';
import { builder } from '../builder';

/** The groups step of a sync report: ScoDoc groups → Moodle groups of the course (issue 18). */
const GroupChangeAction = builder.enumType('GroupChangeAction', {
  description: 'What the groups step does to one Moodle group.',
  values: {
    CREATE: { description: 'Created (with its members) from a ScoDoc group.' },
    RENAME: {
      description: 'Renamed in ScoDoc: the Moodle group takes the new name.',
    },
    DELETE: { description: 'Emptied or gone in ScoDoc, deleted (removeEmptyGroups only).' },
    MEMBERS: { description: 'Only its members change.' },
  } as const,
});

const GroupChangeRef = builder.objectRef<GroupChange>('SyncGroupChange').implement({
  description: 'One Moodle group the sync changes, with its membership diff.',
  fields: (t) => ({
    idnumber: t.exposeString('idnumber', {
      description: 'The group idnumber (LINK_GROUP_PREFIX + ScoDoc group id).',
    }),
    name: t.exposeString('name', { description: "ScoDoc's name of the group." }),
    action: t.field({
      type: GroupChangeAction,
      description: 'What the sync does to the group.',
      resolve: (c) => c.action,
    }),
    renamedFrom: t.exposeString('renamedFrom', {
      nullable: true,
      description: 'Its name in Moodle, when ScoDoc renamed it.',
    }),
    add: t.exposeStringList('add', { description: 'NIPs of the members to add.' }),
    remove: t.exposeStringList('remove', {
      description: 'NIPs of the members to remove (students moved to another group).',
    }),
  }),
});

export const SyncGroupsReportRef = builder.objectRef<GroupsReport>('SyncGroupsReport').implement({
  description:
    'ScoDoc partitions and groups mirrored as Moodle groupings and groups of the course. Only groups and groupings whose idnumber carries LINK_GROUP_PREFIX are touched, and only members linked to a student of the semester are removed.',
  fields: (t) => ({
    groupingsToCreate: t.exposeInt('groupingsToCreate', {
      description: 'ScoDoc partitions without their Moodle grouping.',
    }),
    groupingsCreated: t.exposeInt('groupingsCreated', { description: 'Created by this run.' }),
    groupsToCreate: t.exposeInt('groupsToCreate', {
      description: 'Non-empty ScoDoc groups without their Moodle group.',
    }),
    groupsCreated: t.exposeInt('groupsCreated', { description: 'Created by this run.' }),
    membersToAdd: t.exposeInt('membersToAdd', {
      description: 'Group memberships to add (students of the group not yet in it).',
    }),
    membersAdded: t.exposeInt('membersAdded', { description: 'Added by this run.' }),
    membersToRemove: t.exposeInt('membersToRemove', {
      description: 'Memberships of students no longer in the ScoDoc group.',
    }),
    membersRemoved: t.exposeInt('membersRemoved', { description: 'Removed by this run.' }),
    groupsToDelete: t.exposeInt('groupsToDelete', {
      description:
        'Groups emptied or gone in ScoDoc (with removeEmptyGroups only; else left alone).',
    }),
    groupsDeleted: t.exposeInt('groupsDeleted', { description: 'Deleted by this run.' }),
    groupsToRename: t.exposeInt('groupsToRename', {
      description:
        'Groups renamed in ScoDoc: their Moodle group takes the new name (core_group_update_groups).',
    }),
    groupsRenamed: t.exposeInt('groupsRenamed', { description: 'Renamed by this run.' }),
    changes: t.field({
      type: [GroupChangeRef],
      description: 'Every group the plan changes, by idnumber, with the NIPs to add and remove.',
      resolve: (r) => r.changes,
    }),
  }),
});
