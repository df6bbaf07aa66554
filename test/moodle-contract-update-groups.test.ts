import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoodleSimulator, type MoodleSimulator } from '../src/simulators/moodle/server';
import { emptyUniversity, readFixture, replayFixture } from './support/moodle-fixtures';

/**
 * core_group_update_groups, which neither shared recording has: recorded by the project on 2026-12-01 against
 * the live Moodle 5.0.6+ of shared/tools/live-moodle-setup.sh (test/fixtures/moodle-live-2026-12-01/README.md),
 * replayed in the recording's order against a simulator holding what that course held: course 4 with the
 * sync's six groups, ids 1-6.
 */
const FIXTURES = fileURLToPath(new URL('./fixtures/moodle-live-2026-12-01/', import.meta.url));
const TOKEN = 'fixture-token';
const ORDER = [
  'core_group_update_groups.ok',
  'core_group_update_groups.ok-same-name',
  'core_group_update_groups.error-duplicate-name',
  'core_group_update_groups.error-unknown-id',
  'core_group_update_groups.error-batch-one-bad',
];

let sim: MoodleSimulator;
beforeAll(async () => {
  sim = await startMoodleSimulator({ university: emptyUniversity('2026-12-01'), token: TOKEN });
  sim.store.skipIdsTo('course', 4);
  const course = sim.store.addCourse({
    shortname: 'INFO-S1',
    fullname: 'BUT Info S1',
    idnumber: 'INFO-BUT-FI-S1-2026',
    categoryid: 1,
    summary: '',
    format: 'topics',
  });
  ['TD A', 'TD B', 'TP A1', 'TP A2', 'TP B1', 'TP B2'].forEach((name, i) => {
    const id = sim.store.groups.nextId('group');
    sim.store.groups.groups.set(id, {
      id,
      courseid: course.id,
      name,
      description: '',
      descriptionformat: 1,
      enrolmentkey: null,
      idnumber: `scodoc:${5145 + i}`,
      visibility: 0,
      participation: true,
    });
  });
});
afterAll(() => sim.close());

describe('Moodle simulator replays the project recording of core_group_update_groups', () => {
  it('covers every file of the recording', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    expect(files.sort()).toEqual([...ORDER].sort());
  });

  for (const name of ORDER)
    it(name, async () => {
      await replayFixture(sim.url, readFixture(FIXTURES, name), {
        token: TOKEN,
        recordedSite: 'http://127.0.0.1:8085',
      });
    });

  it('the rejected batch left group 1 as it was, and the renames before it stand', () => {
    expect(sim.store.groups.groups.get(1)!.name).toBe('TD A bis');
    expect(sim.store.groups.groups.get(2)!.name).toBe('TD B');
  });
});
