import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoodleSimulator, type MoodleSimulator } from '../src/simulators/moodle/server';
import { GATEWAY_FUNCTIONS } from '../src/upstreams/moodle/schemas';
import { emptyUniversity, readFixture, replayFixture } from './support/moodle-fixtures';

/**
 * The second recording on the same Moodle 5.0.6 site (shared/fixtures/moodle-2026-12): every file whose
 * function the gateway calls is replayed, in the recording's order, against a simulator set up like that
 * site (stock auth plugins; the recording's next user id). The group functions come with the groups sync.
 */

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/moodle-2026-12/', import.meta.url));
const TOKEN = 'fixture-token';

/** The recording's order, for the files of functions the gateway uses. */
const ORDER = [
  'core_user_create_users.error-auth-plugin-missing',
  'core_user_create_users.ok-createpassword',
];

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
      .filter((name) => (GATEWAY_FUNCTIONS as readonly string[]).includes(name.split('.')[0]!));
    expect([...used].sort()).toEqual([...ORDER].sort());
  });

  for (const name of ORDER) {
    it(name, async () => {
      await replayFixture(sim.url, readFixture(FIXTURES, name), {
        token: TOKEN,
        recordedSite: 'http://127.0.0.1:8081',
      });
    });
  }
});
