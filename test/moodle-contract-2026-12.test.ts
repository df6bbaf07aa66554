import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoodleSimulator, type MoodleSimulator } from '../src/simulators/moodle/server';
import { GATEWAY_FUNCTIONS, GROUP_FUNCTIONS } from '../src/upstreams/moodle/schemas';
import { emptyUniversity, readFixture, replayFixture } from './support/moodle-fixtures';

/**
 * The second recording on the same Moodle 5.0.6 site (shared/fixtures/moodle-2026-12): every file whose
 * function the gateway calls is replayed, in the recording's order, against a simulator set up like that
 * site (stock auth plugins; the recording's next user id). The group files were recorded in a separate run
 * (2 courses, 3 students: the README's "Groups"); their order here is the one their ids and states imply.
 */

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/moodle-2026-12/', import.meta.url));
const TOKEN = 'fixture-token';

/** The recording's order, for the files of functions the gateway uses. */
const ACCOUNTS = [
  'core_user_create_users.error-auth-plugin-missing',
  'core_user_create_users.ok-createpassword',
];
const GROUPS = [
  'core_group_get_course_groups.empty',
  'core_group_create_groups.ok',
  'core_group_get_course_groups.ok',
  'core_group_create_groups.error-duplicate-name',
  'core_group_create_groups.error-duplicate-idnumber',
  'core_group_create_groups.error-batch-one-bad',
  'core_group_get_course_groups.after-rejected-batch',
  'core_group_create_groups.error-batch-duplicate-idnumber-within',
  'core_group_create_groups.error-batch-duplicate-name-within',
  'core_group_get_course_groups.after-rejected-batches-within',
  'core_group_create_groups.ok-other-course-same-name-idnumber',
  'core_group_create_groups.error-unknown-course',
  'core_group_get_course_groups.error-unknown-course',
  'core_group_create_groups.ok-name-differs-in-case',
  'core_group_create_groups.error-blank-name',
  'core_group_create_groups.error-missing-description',
  'core_group_create_groups.ok-duplicate-name-via-trailing-space',
  'core_group_get_course_groups.duplicate-names-after-trim',
  'core_group_create_groups.ok-name-254',
  'core_group_create_groups.ok-name-254-multibyte',
  'core_group_create_groups.ok-idnumber-100',
  'core_group_create_groups.ok-numeric-idnumber',
  'core_group_create_groups.error-idnumber-numeric-loose-equal',
  'core_group_create_groups.error-idnumber-trimmed-duplicate',
  'core_group_get_course_groups.after-length-tests',
  'core_group_get_groups.ok',
  'core_group_get_groups.error-unknown-id',
  'core_group_add_group_members.ok',
  'core_group_get_group_members.ok',
  'core_group_add_group_members.ok-idempotent-readd',
  'core_group_add_group_members.error-not-enrolled',
  'core_group_add_group_members.error-batch-one-bad',
  'core_group_get_group_members.after-rejected-batch',
  'core_group_add_group_members.error-unknown-group',
  'core_group_add_group_members.error-unknown-user',
  'core_group_get_group_members.error-unknown-group',
  'core_group_add_group_members.ok-second-course',
  'core_group_create_groupings.ok',
  'core_group_create_groupings.error-duplicate-name',
  'core_group_create_groupings.error-duplicate-idnumber',
  'core_group_create_groupings.ok-idnumber-of-a-group',
  'core_group_create_groupings.error-unknown-course',
  'core_group_assign_grouping.ok',
  'core_group_assign_grouping.ok-idempotent',
  'core_group_assign_grouping.error-unknown-group',
  'core_group_assign_grouping.error-unknown-grouping',
  'core_group_get_course_groupings.ok',
  'core_group_get_course_groupings.error-unknown-course',
  'core_group_get_groupings.returngroups',
  'core_group_get_groupings.default',
  'core_group_get_groupings.error-unknown-id',
  'core_group_assign_grouping.ok-cross-course-group',
  'core_group_get_groupings.cross-course-group',
  'core_group_create_groups.ok-visibility-hidden',
  'core_group_add_group_members.ok-hidden-group',
  'core_group_get_course_groups.hidden-group-not-listed',
  'core_group_get_groups.hidden-group',
  'core_group_get_group_members.hidden-group',
  'core_group_create_groups.error-duplicate-name-of-hidden-group',
  'core_group_create_groups.error-name-255',
  'core_group_create_groups.error-idnumber-101',
  'core_group_delete_group_members.ok',
  'core_group_delete_group_members.ok-not-member',
  'core_group_delete_group_members.error-unknown-group',
  'core_group_delete_group_members.error-batch-one-bad',
  'core_group_get_group_members.after-delete',
  'core_group_delete_groupings.ok',
  'core_group_get_groups.after-grouping-deleted',
  'core_group_delete_groupings.ok-unknown-id',
  'core_group_get_course_groupings.after-delete',
  'core_group_delete_groups.ok',
  'core_group_delete_groups.ok-unknown-id',
  'core_group_delete_groups.ok-mixed-unknown',
  'core_group_get_course_groups.after-delete',
  'core_group_get_groupings.after-groups-deleted',
];
const ORDER = [...ACCOUNTS, ...GROUPS];
/** The failed INSERTs' debuginfo carries the recording's clock (timecreated). */
const RECORDED_CLOCK: Record<string, number> = {
  'core_group_create_groups.error-name-255': 1796115874,
  'core_group_create_groups.error-idnumber-101': 1796115874,
};

/**
 * The group run's site: courses 35 and 36, students 16363 (Ursula Zulu, in both), 16364 (Victor Alpha, in
 * 35 only) and 16365 (in 35; its name is not in the recording, only that it sorts before Zulu), next ids
 * group 33 and grouping 7.
 */
function setUpGroupSite(store: MoodleSimulator['store']): void {
  store.skipIdsTo('course', 35);
  const courses = [35, 36].map((n) =>
    store.addCourse({
      shortname: `fx_grp_6b0e8d9f_c${n}`,
      fullname: `fx_grp_6b0e8d9f course ${n}`,
      idnumber: '',
      categoryid: 1,
      summary: '',
      format: 'topics',
    }),
  );
  store.skipIdsTo('user', 16363);
  const people = [
    ['Ursula', 'Zulu'],
    ['Victor', 'Alpha'],
    ['Walter', 'Kilo'],
  ].map(([firstname, lastname], i) =>
    store.addUser({
      username: `fx_grp_6b0e8d9f_u${i + 1}`,
      firstname: firstname!,
      lastname: lastname!,
      email: `fx_grp_6b0e8d9f_u${i + 1}@example.com`,
      idnumber: `FXGRP6B0E8D9F0${i + 1}`,
      auth: 'manual',
    }),
  );
  const enrol = (u: number, c: number) =>
    store.enrol({ userid: people[u]!.id, courseid: courses[c]!.id, roleid: 5, suspended: false });
  enrol(0, 0);
  enrol(0, 1);
  enrol(1, 0);
  enrol(2, 0);
  store.groups.skipIdsTo('group', 33);
  store.groups.skipIdsTo('grouping', 7);
}

let sim: MoodleSimulator;
beforeAll(async () => {
  const empty = emptyUniversity('2026-12-01');
  sim = await startMoodleSimulator({ university: empty, token: TOKEN });
  sim.store.skipIdsTo('user', 15328);
});
afterAll(() => sim.close());

describe('Moodle simulator replays the 2026-12 recording', () => {
  it('covers every file whose function the gateway calls', () => {
    const used = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .filter((name) =>
        ([...GATEWAY_FUNCTIONS, ...GROUP_FUNCTIONS] as readonly string[]).includes(
          name.split('.')[0]!,
        ),
      );
    expect([...used].sort()).toEqual([...ORDER].sort());
  });

  const replay = (name: string) =>
    it(name, async () => {
      if (RECORDED_CLOCK[name]) sim.store.clock = RECORDED_CLOCK[name] - 1;
      await replayFixture(sim.url, readFixture(FIXTURES, name), {
        token: TOKEN,
        recordedSite: 'http://127.0.0.1:8081',
      });
    });
  ACCOUNTS.forEach(replay);
  describe('groups', () => {
    beforeAll(() => setUpGroupSite(sim.store));
    GROUPS.forEach(replay);
  });
});
