import type { WriteDeps } from '../../src/provisioning/context';
import { DEFAULT_LINKING, normalizeNip } from '../../src/domain/linking';
import { ListCache } from '../../src/domain/list-cache';
import { createLogger } from '../../src/log';
import {
  MOODLE_SIM_TOKEN,
  SCODOC_SIM_PASSWORD,
  SCODOC_SIM_USER,
  type RunningSimulators,
} from '../../src/simulators/start';
import { createMoodleClient } from '../../src/upstreams/moodle/client';
import { createScodocClient } from '../../src/upstreams/scodoc/client';

/**
 * Clients of both simulators, for tests and benches that drive the write services or the sync without a
 * gateway (so they can wrap a client, or count what it sends).
 */
export function simulatorClients(
  sims: RunningSimulators,
  opts: { timeoutMs?: number; connections?: number } = {},
) {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const connections = opts.connections ?? 4;
  const moodle = createMoodleClient({
    url: sims.moodle!.url,
    token: MOODLE_SIM_TOKEN,
    timeoutMs,
    connections,
    maxParamsPerRequest: 4000,
  });
  const scodoc = createScodocClient({
    url: `${sims.scodoc!.url}/ScoDoc`,
    username: SCODOC_SIM_USER,
    password: SCODOC_SIM_PASSWORD,
    timeoutMs,
    connections,
  });
  return {
    moodle,
    scodoc,
    close: () => Promise.all([moodle.close(), scodoc.close()]).then(() => {}),
  };
}

/** The write dependencies over those clients: default linking, no list cache, silent log, NIP usernames. */
export function writeDeps(
  clients: Pick<WriteDeps, 'moodle' | 'scodoc'>,
  extra: Partial<WriteDeps> = {},
): WriteDeps {
  return {
    scodoc: clients.scodoc,
    moodle: clients.moodle,
    linking: DEFAULT_LINKING,
    lists: new ListCache(0),
    log: createLogger({ level: 'silent' }),
    accounts: { usernameRule: 'nip', auth: 'manual' },
    ...extra,
  };
}

/** As if these students had never had a Moodle account: their accounts and enrolments leave the simulator. */
export function forgetAccounts(sims: RunningSimulators, nips: ReadonlySet<string | null>): void {
  const store = sims.moodle!.store;
  const gone = new Set(
    [...store.users.values()]
      .filter((x) => nips.has(normalizeNip(x.idnumber) ?? ''))
      .map((x) => x.id),
  );
  for (const id of gone) store.users.delete(id);
  const kept = store.enrolments.filter((e) => !gone.has(e.userid));
  store.enrolments.splice(0, store.enrolments.length, ...kept);
}
