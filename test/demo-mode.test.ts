import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

/** `npm start` with no upstream configured: both simulators and the gateway, answering from simulated ScoDoc. */
it('demo mode starts, answers departments from the simulated ScoDoc, and stops cleanly on SIGTERM', async () => {
  child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      SCODOC_SIM_PORT: '0',
      MOODLE_SIM_PORT: '0',
      DEMO_STUDENTS: '100',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 20 s:\n${output}`)), 20_000);
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /GraphiQL at (http:\/\/\S+)\/graphql/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child!.on('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  expect(output).toContain('ScoDoc simulator started');
  expect(output).toContain('Campus Graph ready (demo mode: both upstreams simulated)');
  // Said on the start line: a simulated upstream's changes do not survive a restart.
  expect(output).toContain('its changes vanish on restart');

  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ departments { acronym } }' }),
  });
  expect(await res.json()).toEqual({
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
  expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
  const graphiql = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
  expect(await graphiql.text()).toContain('DepartmentRoster');

  const exited = new Promise<number | null>((resolve) =>
    child!.on('exit', (code) => resolve(code)),
  );
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 30_000);

it('a bad configuration stops the start with one line per variable', async () => {
  const bad = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...process.env, PORT: 'x', MOODLE_URL: 'https://m.example.fr' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  bad.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => bad.on('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toContain('PORT:');
  expect(stderr).not.toContain('at ');
}, 20_000);

it('refuses to start open in front of a real upstream; AUTH_DISABLED=true starts with a warning', async () => {
  const env = {
    ...process.env,
    PORT: '0',
    MOODLE_SIM_PORT: '0',
    SCODOC_SIM_PORT: '0',
    DEMO_STUDENTS: '20',
    SCODOC_URL: 'http://127.0.0.1:9/ScoDoc',
    SCODOC_USERNAME: 'api',
    SCODOC_PASSWORD: 'sc0doc-pw',
  };
  const refused = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  refused.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  expect(await new Promise((resolve) => refused.on('exit', resolve))).toBe(1);
  expect(stderr).toContain('clients must authenticate');
  expect(stderr).not.toContain('sc0doc-pw');

  const open = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...env, AUTH_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${stdout}`)), 20_000);
    open.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('GraphiQL at')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  expect(stdout).toContain('AUTH_DISABLED=true with a real upstream');
  open.kill('SIGTERM');
  await new Promise((resolve) => open.on('exit', resolve));
}, 30_000);
