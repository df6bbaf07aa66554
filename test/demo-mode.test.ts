import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSimulators } from '../src/simulators/start';
import { runGateway, startEnv, startGateway } from './support/process';

const root = fileURLToPath(new URL('..', import.meta.url));

async function departments(url: string): Promise<unknown> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ departments { acronym } }' }),
  });
  return res.json();
}

/** `npm start` with no upstream configured: both simulators and the gateway, answering from simulated ScoDoc. */
it('demo mode starts, answers departments from the simulated ScoDoc, and stops cleanly on SIGTERM', async () => {
  const gw = await startGateway(startEnv({ DEMO_STUDENTS: '100' }));
  expect(gw.output()).toContain('ScoDoc simulator started');
  expect(gw.output()).toContain('Campus Graph ready (demo mode: both upstreams simulated)');
  // Said on the start line: a simulated upstream's changes do not survive a restart.
  expect(gw.output()).toContain('its changes vanish on restart');
  expect(await departments(gw.url)).toEqual({
    data: {
      departments: [
        { acronym: 'INFO' },
        { acronym: 'GEII' },
        { acronym: 'RT' },
        { acronym: 'MMI' },
        { acronym: 'Chimie' },
      ],
    },
  });
  expect(await (await fetch(`${gw.url}/health`)).json()).toEqual({ status: 'ok' });
  expect(await gw.stop()).toBe(0);
}, 30_000);

it('a SIGTERM that arrives while starting stops the gateway cleanly (exit 0), not by the default handler', async () => {
  const child = spawn(process.execPath, [join(root, 'dist/main.js')], {
    env: startEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The first line out (the simulators starting) comes before the gateway has finished starting.
  child.stdout.once('data', () => child.kill('SIGTERM'));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
}, 30_000);

describe('configuration as people expect', () => {
  it('.env.example copied to .env as shipped starts the demo (empty values are unset)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'campus-graph-env-'));
    copyFileSync(join(root, '.env.example'), join(dir, '.env'));
    const env = startEnv();
    delete env.ENV_FILE;
    // The shipped file says PORT=4000 and the simulators' ports: the environment wins over the file.
    const gw = await startGateway(env, dir);
    expect(gw.output()).toMatch(/setting\(s\) from \.env, the environment wins/);
    const answer = (await departments(gw.url)) as { data?: { departments: unknown[] } };
    expect(answer.data?.departments).toHaveLength(5);
    expect(await gw.stop()).toBe(0);
  }, 30_000);

  it('.env is read, and a variable set in the environment wins over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'campus-graph-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=1\nDEMO_STUDENTS=30\nGRAPHIQL=false\nLOG_FORMAT=json\n');
    const env = startEnv();
    delete env.ENV_FILE;
    delete env.DEMO_STUDENTS;
    delete env.LOG_FORMAT;
    const gw = await startGateway(env, dir);
    // PORT=0 from the environment (not the file's 1); GRAPHIQL and the log format from the file.
    expect(gw.output()).toContain('GraphiQL off');
    expect(gw.output().split('\n')[0]).toMatch(/^\{"level"/);
    const html = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await gw.stop()).toBe(0);
  }, 30_000);

  it('a bad configuration stops the start with one line per variable', async () => {
    const { code, stderr } = await runGateway(
      startEnv({ PORT: 'x', MOODLE_URL: 'ftp://m.example.fr' }),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^ {2}- PORT: .*$/m);
    // One line for MOODLE_URL, whatever number of rules it broke.
    expect(stderr.match(/- MOODLE_URL:/g)).toHaveLength(1);
    expect(stderr).not.toContain('at ');
  }, 20_000);
});

describe('every start failure is one line naming the variable', () => {
  it('port in use: PORT', async () => {
    const gw = await startGateway(startEnv());
    const port = new URL(gw.url).port;
    const { code, stderr, stdout } = await runGateway(startEnv({ PORT: port }));
    await gw.stop();
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(
      new RegExp(`^Campus Graph cannot start: PORT: port ${port} is already in use`),
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).not.toContain('ready');
  }, 40_000);

  it('bad host: HOST', async () => {
    const { code, stderr } = await runGateway(startEnv({ HOST: 'no-such-host.invalid' }));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'Campus Graph cannot start: HOST: no-such-host.invalid does not resolve to an address of this machine',
    );
  }, 20_000);

  it('a Moodle that refuses the token: MOODLE_TOKEN, and no "ready"', async () => {
    const sims = await startSimulators({
      scodoc: false,
      moodle: true,
      scodocPort: 0,
      moodlePort: 0,
      seed: 2026,
      students: 20,
    });
    try {
      const { code, stderr, stdout } = await runGateway(
        startEnv({
          MOODLE_URL: sims.moodle!.url,
          MOODLE_TOKEN: 'not-the-token-0123',
          AUTH_DISABLED: 'true',
        }),
      );
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(/^Campus Graph cannot start: MOODLE_TOKEN: .*token/);
      expect(stderr).not.toContain('not-the-token-0123');
      expect(stdout).not.toContain('ready');
    } finally {
      await sims.close();
    }
  }, 30_000);

  it('an upstream that cannot be reached: SCODOC_URL, unless START_DEGRADED=true', async () => {
    const env = startEnv({
      SCODOC_URL: 'http://127.0.0.1:9/ScoDoc',
      SCODOC_USERNAME: 'api',
      SCODOC_PASSWORD: 'sc0doc-pw',
      AUTH_DISABLED: 'true',
    });
    const { code, stderr } = await runGateway(env);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^Campus Graph cannot start: SCODOC_URL: .*START_DEGRADED=true/);
    expect(stderr).not.toContain('sc0doc-pw');

    const degraded = await startGateway({ ...env, START_DEGRADED: 'true' });
    expect(degraded.output()).toContain('AUTH_DISABLED=true with a real upstream');
    expect(degraded.output()).toContain('hybrid: ScoDoc real, Moodle simulated');
    expect((await fetch(`${degraded.url}/ready`)).status).toBe(503);
    expect(await degraded.stop()).toBe(0);
  }, 40_000);

  it('refuses to start open in front of a real upstream', async () => {
    const { code, stderr } = await runGateway(
      startEnv({
        SCODOC_URL: 'http://127.0.0.1:9/ScoDoc',
        SCODOC_USERNAME: 'api',
        SCODOC_PASSWORD: 'sc0doc-pw',
      }),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('clients must authenticate');
    expect(stderr).not.toContain('sc0doc-pw');
  }, 20_000);

  it('production says GraphiQL is off, and logs JSON', async () => {
    const gw = await startGateway(
      startEnv({ NODE_ENV: 'production', AUTH_DISABLED: 'true', LOG_FORMAT: '' }),
    );
    const lines = gw.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(gw.output()).toContain('GraphiQL off');
    expect(gw.output()).not.toContain('GraphiQL at');
    expect(await gw.stop()).toBe(0);
  }, 30_000);
});
