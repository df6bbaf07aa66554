import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoodleSimulator, type MoodleSimulator } from '../src/simulators/moodle/server';
import { emptyUniversity, readFixture, replayFixture } from './support/moodle-fixtures';

/**
 * Replays every request recorded from a live Moodle 5.0.6 (shared/fixtures/moodle) against the simulator, in
 * the order of the recording run, after reproducing its preconditions (pre-existing users etu0000 = 8 and
 * etu0001 = 9, next user id 211, next category id 9, next course id 10). Every reply must agree exactly,
 * except values that depend on the site and the clock (VOLATILE keys, the site URL), and the few cases listed
 * in SHAPE_ONLY whose content is another site's configuration.
 */

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/moodle/', import.meta.url));
const TOKEN = 'fixture-token';
const LOGIN_PASSWORD = 'WsGateway#12345';

/** The recording run's order: later cases depend on what earlier ones created or deleted. */
const ORDER = [
  'core_webservice_get_site_info.ok',
  'core_webservice_get_site_info.error-invalid-token',
  'core_webservice_get_site_info.error-invalid-token-xml',
  'core_fx_no_such_function.error-unknown-wsfunction',
  'core_message_send_instant_messages.error-not-in-service',
  'login-token.ok',
  'login-token.error-bad-password',
  'core_user_create_users.ok',
  'core_user_create_users.error-duplicate-username',
  'core_user_get_users_by_field.after-rejected-batch',
  'core_user_create_users.error-uppercase-username',
  'core_user_create_users.error-missing-field',
  'core_user_get_users_by_field.idnumber-with-unknown',
  'core_user_get_users_by_field.id',
  'core_user_get_users_by_field.email',
  'core_user_get_users_by_field.email-case-sensitive',
  'core_user_get_users_by_field.error-empty-values',
  'core_user_get_users.email-like',
  'core_user_get_users.warning-unknown-key',
  'core_user_update_users.ok',
  'core_user_update_users.warning-invalid-id',
  'core_user_get_users_by_field.xml-default-format',
  'core_course_create_categories.ok',
  'core_course_create_categories.ok-subcategory',
  'core_course_create_categories.error-duplicate-idnumber',
  'core_course_get_categories.by-ids-no-subcategories',
  'core_course_get_categories.by-ids-with-subcategories',
  'core_course_get_categories.by-idnumber',
  'core_course_get_categories.error-bad-key',
  'core_course_create_courses.ok',
  'core_course_create_courses.error-duplicate-shortname',
  'core_course_get_courses_by_field.ids',
  'core_course_get_courses_by_field.ids-with-unknown-id-crash',
  'core_course_get_courses_by_field.category',
  'core_course_get_courses_by_field.idnumber',
  'core_course_get_courses.ids',
  'core_course_get_courses.ids-with-unknown-id',
  'enrol_manual_enrol_users.ok',
  'enrol_manual_enrol_users.ok-idempotent-reenrol',
  'enrol_manual_enrol_users.ok-suspended',
  'enrol_manual_enrol_users.error-unknown-user',
  'core_enrol_get_enrolled_users.userfields-onlyactive',
  'core_enrol_get_enrolled_users.limitfrom-limitnumber',
  'core_enrol_get_enrolled_users.error-unknown-course',
  'core_enrol_get_users_courses.ok',
  'core_enrol_get_users_courses.unknown-user',
  'core_enrol_get_users_courses.error-bool-true',
  'enrol_manual_unenrol_users.ok',
  'enrol_manual_unenrol_users.ok-idempotent',
  'core_course_delete_courses.ok',
  'core_course_delete_courses.warning-unknown-id',
  'core_user_delete_users.ok',
  'core_user_delete_users.error-unknown-id',
  'core_user_get_users_by_field.soft-deleted-user',
  'core_course_delete_categories.ok-subcategory',
  'core_course_delete_categories.error-top-level-not-recursive',
  'core_course_delete_categories.ok-recursive',
];

/** Whose content is the recording site's own configuration (names, service list): compared by shape. */
const SHAPE_ONLY = new Set(['core_webservice_get_site_info.ok']);

let sim: MoodleSimulator;
let recordedSite = 'http://127.0.0.1:8081';

beforeAll(async () => {
  // A site with no demo data: only what a fresh Moodle has, plus the recording's pre-existing students.
  const empty = emptyUniversity('2026-11-20');
  sim = await startMoodleSimulator({ university: empty, token: TOKEN, password: LOGIN_PASSWORD });
  sim.store.skipIdsTo('user', 8);
  sim.store.addUser({
    username: 'etu0000',
    firstname: 'Etu',
    lastname: 'N0',
    email: 'etu0@example.com',
    idnumber: 'ID00000',
    auth: 'manual',
  });
  sim.store.addUser({
    username: 'etu0001',
    firstname: 'Etu',
    lastname: 'N1',
    email: 'etu1@example.com',
    idnumber: 'ID00001',
    auth: 'manual',
  });
  sim.store.skipIdsTo('user', 211);
  sim.store.skipIdsTo('category', 9);
  sim.store.skipIdsTo('course', 10);
});
afterAll(() => sim.close());

describe('Moodle simulator replays the recorded Moodle 5.0.6 fixtures', () => {
  it('covers every fixture file', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    expect([...files].sort()).toEqual([...ORDER].sort());
  });

  for (const name of ORDER) {
    it(name, async () => {
      const fixture = readFixture(FIXTURES, name);
      if (name === 'core_webservice_get_site_info.ok')
        recordedSite = String((fixture.response.body as { siteurl: string }).siteurl);
      await replayFixture(sim.url, fixture, {
        token: TOKEN,
        recordedSite,
        shapeOnly: SHAPE_ONLY.has(name),
      });
    });
  }
});
