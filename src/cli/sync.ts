import { loadConfig, secretsOf } from '../config';
import { upstreamsOf, type Upstreams } from '../demo';
import { WriteError } from '../domain/errors';
import { normalizeNip } from '../domain/linking';
import { ListCache } from '../domain/list-cache';
import { createLogger, type Logger } from '../log';
import { Trail } from '../provisioning/context';
import { runSync } from '../sync/run';
import { createMoodleClient } from '../upstreams/moodle/client';
import { createScodocClient } from '../upstreams/scodoc/client';
import type { SyncArgs } from './args';
import { auditSyncRun, cliCaller } from './audit';
import { demoIntro } from './demo';
import { feedbackOn } from './feedback';
import { renderJson, renderText, widthOf, wrap } from './render';

const NOT_CONFIGURED =
  'campusgraph sync needs both upstreams configured (SCODOC_URL, SCODOC_USERNAME, SCODOC_PASSWORD, ' +
  'MOODLE_URL, MOODLE_TOKEN, in the environment or .env); to try it on simulated data, add --demo.';

/** `campusgraph sync`, with the same configuration as the server (or simulators with --demo). */
export async function syncFromTerminal(args: SyncArgs): Promise<number> {
  const config = loadConfig();
  const width = widthOf(process.stderr);
  if (!args.demo && (config.scodoc.simulated || config.moodle.simulated)) {
    process.stderr.write(`${wrap(NOT_CONFIGURED, width)}\n`);
    return 2;
  }
  const log = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    secrets: secretsOf(config),
    personalData: config.logPersonalData,
    pseudonymKey: config.logPseudonymKey,
    destination: process.stderr,
  });
  // The audit is written whatever LOG_LEVEL (its default, warn, would hide info lines), unless silenced.
  const audit = createLogger({
    level: process.env.LOG_LEVEL === 'silent' ? 'silent' : 'info',
    secrets: secretsOf(config),
    personalData: config.logPersonalData,
    pseudonymKey: config.logPseudonymKey,
    destination: process.stderr,
  });
  const upstreams = await upstreamsOf(config, log, { everything: args.demo, ports: 'any' });
  try {
    return await withClients(upstreams, config, log, async (deps) => {
      // Without --demo, parseCommandLine has required --semester.
      const semesterId = args.demo
        ? await demoIntro(deps, upstreams, args.semesterId, width)
        : args.semesterId!;
      return syncCommand(deps, { ...args, semesterId }, audit);
    });
  } finally {
    await upstreams.close();
  }
}

async function withClients<T>(
  upstreams: Upstreams,
  config: ReturnType<typeof loadConfig>,
  log: Logger,
  use: (deps: Parameters<typeof runSync>[0]) => Promise<T>,
): Promise<T> {
  const scodoc = createScodocClient(upstreams.scodoc, { resilience: config.resilience });
  const moodle = createMoodleClient(upstreams.moodle, { resilience: config.resilience });
  try {
    const lists = new ListCache(0);
    return await use({
      scodoc,
      moodle,
      linking: config.linking,
      lists,
      log,
      accounts: config.accounts,
    });
  } finally {
    await Promise.all([scodoc.close(), moodle.close()]);
  }
}

async function syncCommand(
  deps: Parameters<typeof runSync>[0],
  args: SyncArgs & { semesterId: number },
  audit: Logger,
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const feedback = feedbackOn(process.stderr, `semester ${args.semesterId}`);
  const input = {
    semesterId: args.semesterId,
    courseId: args.courseId,
    dryRun: args.dryRun,
    leavers: args.leavers,
    groups: args.groups,
    removeEmptyGroups: args.removeEmptyGroups,
  };
  const who = cliCaller();
  const started = Date.now();
  const trail = new Trail();
  try {
    const { plan, report } = await runSync(deps, trail, input, feedback.progress);
    feedback.stop();
    const nipsOfUsers = async (ids: number[]) =>
      (await deps.moodle.getUsersByField('id', ids.map(String)))
        .map((u) => normalizeNip(u.idnumber))
        .filter((nip): nip is string => nip !== null);
    await auditSyncRun(audit, who, input, started, { plan, report, trail, nipsOfUsers });
    out.write(args.json ? renderJson(plan, report) : renderText(plan, report, widthOf(out)));
    return report.failures.length > 0 ? 1 : 0;
  } catch (err) {
    feedback.stop();
    await auditSyncRun(audit, who, input, started, { error: err });
    if (err instanceof WriteError || (err as { system?: string }).system) {
      const message = (err as Error).message;
      out.write(
        args.json
          ? `${JSON.stringify({ error: { message } })}\n`
          : `${wrap(`sync failed: ${message}`, widthOf(out))}\n`,
      );
      return 1;
    }
    throw err;
  }
}
