import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, requireServerAuth, secretsOf } from '../src/config';
import { readEnvironment } from '../src/environment';

describe('configuration', () => {
  it('defaults to demo mode with both upstreams simulated', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 4000,
      scodoc: { simulated: true, timeoutMs: 10_000 },
      moodle: { simulated: true, maxParamsPerRequest: 4000 },
    });
    expect(c.linking).toEqual({
      student: 'idnumber',
      department: 'idnumber',
      semester: 'idnumber',
      groups: { prefix: 'scodoc:', group: 'scodoc:<id>', grouping: 'scodoc:partition:<id>' },
    });
  });

  it('LINK_GROUP_PREFIX sets the group link rule, and a blank or padded one is refused', () => {
    expect(loadConfig({ LINK_GROUP_PREFIX: 'iut:' }).linking.groups).toEqual({
      prefix: 'iut:',
      group: 'iut:<id>',
      grouping: 'iut:partition:<id>',
    });
    expect(() => loadConfig({ LINK_GROUP_PREFIX: ' x' })).toThrow(/LINK_GROUP_PREFIX/);
  });

  it('uses a configured upstream for real and keeps the other simulated', () => {
    const c = loadConfig({
      SCODOC_URL: 'https://scodoc.example.fr/ScoDoc/',
      SCODOC_USERNAME: 'api',
      SCODOC_PASSWORD: 'pw',
      SCODOC_DEPT: 'INFO',
      SCODOC_TIMEOUT_MS: '2500',
    });
    expect(c.scodoc).toEqual({
      simulated: false,
      url: 'https://scodoc.example.fr/ScoDoc',
      username: 'api',
      password: 'pw',
      dept: 'INFO',
      timeoutMs: 2500,
      connections: 24,
    });
    expect(c.moodle.simulated).toBe(true);
  });

  it("reads each client's share of an upstream; unset or empty means half the pool", () => {
    expect(loadConfig({ UPSTREAM_CLIENT_SHARE: '3' }).resilience.clientShare).toBe(3);
    expect(loadConfig({}).resilience.clientShare).toBeUndefined();
    expect(loadConfig({ UPSTREAM_CLIENT_SHARE: '' }).resilience.clientShare).toBeUndefined();
    expect(() => loadConfig({ UPSTREAM_CLIENT_SHARE: '0' })).toThrow(/UPSTREAM_CLIENT_SHARE/);
  });

  it('reads the hardening settings, with their defaults, and rejects bad values by name', () => {
    const defaults = loadConfig({});
    expect(defaults.logPersonalData).toBe('pseudonymous');
    expect(defaults.security).toMatchObject({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
    });
    expect(defaults.metrics).toEqual({ port: undefined, token: undefined });
    const set = loadConfig({
      LOG_PERSONAL_DATA: 'none',
      AUTH_FAILURES_PER_MINUTE: '5',
      REQUEST_TIMEOUT_MS: '5000',
      HEADERS_TIMEOUT_MS: '2000',
      METRICS_PORT: '9464',
      METRICS_TOKEN: 'metrics-token-0123456789',
    });
    expect(set.logPersonalData).toBe('none');
    expect(set.security).toMatchObject({
      authFailuresPerMinute: 5,
      requestTimeoutMs: 5000,
      headersTimeoutMs: 2000,
    });
    expect(set.metrics).toEqual({ port: 9464, token: 'metrics-token-0123456789' });
    for (const [name, value] of [
      ['LOG_PERSONAL_DATA', 'some'],
      ['REQUEST_TIMEOUT_MS', '-1'],
      ['METRICS_PORT', 'nine'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), name).toThrow(new RegExp(name));
    }
  });

  it('.env: read from the working directory, the environment wins, empty means unset, ENV_FILE names another', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4010\nHOST=127.0.0.1\nMOODLE_URL=\n# a comment\n');
    writeFileSync(join(dir, 'other.env'), 'PORT=4020\n');
    const { env, source } = readEnvironment({ PORT: '4011', LOG_LEVEL: '' }, dir);
    expect(env).toEqual({ PORT: '4011', HOST: '127.0.0.1' });
    expect(source).toEqual({ file: '.env', fromFile: 2 });
    // An empty value in the environment does not hide the file's.
    expect(readEnvironment({ PORT: ' ' }, dir).env.PORT).toBe('4010');
    expect(readEnvironment({ ENV_FILE: 'other.env' }, dir).env.PORT).toBe('4020');
    expect(readEnvironment({ ENV_FILE: 'none' }, dir).source).toEqual({ fromFile: 0 });
    expect(readEnvironment({}, tmpdir()).source.fromFile).toBe(0);
    expect(() => readEnvironment({ ENV_FILE: 'missing.env' }, dir)).toThrow(/ENV_FILE/);
  });

  it('empty values are unset: the shipped .env.example is valid as it is', () => {
    expect(() =>
      loadConfig({ SCODOC_URL: '', MOODLE_URL: ' ', GRAPHIQL: '', JWT_JWKS_URL: '' }),
    ).not.toThrow();
  });

  it('names every bad variable on its own line, and never prints a value', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({
        PORT: 'eighty',
        SCODOC_URL: 'ftp://x',
        MOODLE_TIMEOUT_MS: '-5',
        LINK_STUDENT_BY: 'shoesize',
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const names = err!.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining(['PORT', 'SCODOC_URL', 'MOODLE_TIMEOUT_MS', 'LINK_STUDENT_BY']),
    );
    expect(err!.message).not.toContain('eighty');
    expect(err!.message).not.toContain('shoesize');
  });

  it('parses MOODLE_ROLE_IDS as a JSON map and rejects anything else', () => {
    expect(
      loadConfig({ MOODLE_ROLE_IDS: '{"student": 5, "editingteacher": 3}' }).moodle.roleIds,
    ).toEqual({ student: 5, editingteacher: 3 });
    expect(() => loadConfig({ MOODLE_ROLE_IDS: '{"student": "five"}' })).toThrow(
      /MOODLE_ROLE_IDS: a JSON object/,
    );
  });

  it('PERSISTED_OPERATIONS (allow by default, only, off) and a client manifest in PERSISTED_OPERATIONS_FILE', () => {
    expect(loadConfig({}).security.persistedOperations).toEqual({ mode: 'allow', extra: {} });
    expect(loadConfig({ PERSISTED_OPERATIONS: 'only' }).security.persistedOperations.mode).toBe(
      'only',
    );
    expect(() => loadConfig({ PERSISTED_OPERATIONS: 'strict' })).toThrow(/PERSISTED_OPERATIONS/);
    const dir = mkdtempSync(join(tmpdir(), 'cg-'));
    const good = join(dir, 'ops.json');
    writeFileSync(
      good,
      JSON.stringify({ ['a'.repeat(64)]: 'query A { departments { acronym } }' }),
    );
    expect(
      loadConfig({ PERSISTED_OPERATIONS_FILE: good }).security.persistedOperations.extra,
    ).toEqual({
      ['a'.repeat(64)]: 'query A { departments { acronym } }',
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ 'not-a-hash': 'query A { x }' }));
    expect(() => loadConfig({ PERSISTED_OPERATIONS_FILE: bad })).toThrow(
      /PERSISTED_OPERATIONS_FILE: must be a JSON object of SHA-256/,
    );
    expect(() => loadConfig({ PERSISTED_OPERATIONS_FILE: join(dir, 'none.json') })).toThrow(
      /PERSISTED_OPERATIONS_FILE: cannot be read/,
    );
  });

  it('reads API keys from API_KEYS and API_KEYS_FILE, validates them and never echoes a key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cg-')), 'keys.json');
    writeFileSync(
      file,
      JSON.stringify([{ name: 'sync-job', key: 'file-key-0123456789abcdef', scopes: ['sync'] }]),
    );
    const c = loadConfig({
      API_KEYS: JSON.stringify([
        { name: 'app', key: 'env-key-0123456789abcdef', scopes: ['read', 'read:personal'] },
      ]),
      API_KEYS_FILE: file,
    });
    expect(c.security.auth.apiKeys.map((k) => k.name)).toEqual(['app', 'sync-job']);
    try {
      loadConfig({
        API_KEYS: JSON.stringify([{ name: 'x', key: 'short-secret', scopes: ['admin'] }]),
      });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems[0]).toMatch(/^API_KEYS: /);
      expect((e as Error).message).not.toContain('short-secret');
    }
    expect(() => loadConfig({ API_KEYS_FILE: '/nonexistent/keys.json' })).toThrow(
      /API_KEYS_FILE: cannot be read/,
    );
  });

  it('lists every configured secret for the logger to scrub', () => {
    const c = loadConfig({
      SCODOC_URL: 'https://s.example.fr/ScoDoc',
      SCODOC_USERNAME: 'api',
      SCODOC_PASSWORD: 'sc0doc-password',
      MOODLE_URL: 'https://m.example.fr',
      MOODLE_TOKEN: 'm00dle-token',
      JWT_SECRET: 'j'.repeat(32),
      API_KEYS: JSON.stringify([
        { name: 'app', key: 'api-key-0123456789abcdef', scopes: ['read'] },
      ]),
    });
    expect(secretsOf(c).sort()).toEqual(
      ['api-key-0123456789abcdef', 'j'.repeat(32), 'm00dle-token', 'sc0doc-password'].sort(),
    );
  });

  it('the server refuses to run open in front of a real upstream, unless AUTH_DISABLED=true', () => {
    const real = { MOODLE_URL: 'https://moodle.example.fr', MOODLE_TOKEN: 't0ken-value' };
    expect(() => requireServerAuth(loadConfig(real))).toThrow(/clients must authenticate/);
    expect(() => requireServerAuth(loadConfig({ ...real, AUTH_DISABLED: 'true' }))).not.toThrow();
    expect(() =>
      requireServerAuth(loadConfig({ ...real, JWT_SECRET: 'x'.repeat(32) })),
    ).not.toThrow();
    expect(() => requireServerAuth(loadConfig({}))).not.toThrow(); // demo mode stays open
  });

  it('requires credentials with a URL, without echoing the secret', () => {
    expect(() => loadConfig({ MOODLE_URL: 'https://moodle.example.fr' })).toThrow(
      /MOODLE_TOKEN: required when MOODLE_URL is set/,
    );
    try {
      loadConfig({ SCODOC_URL: 'https://s.example.fr/ScoDoc', SCODOC_PASSWORD: 'hunter2-secret' });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'SCODOC_USERNAME: required when SCODOC_URL is set',
      ]);
      expect((e as Error).message).not.toContain('hunter2-secret');
    }
    expect(() => loadConfig({ MOODLE_TOKEN: 'abc' })).toThrow(
      /MOODLE_TOKEN: set without MOODLE_URL/,
    );
  });

  it('REDIS_URL: a redis:// or rediss:// URL, unset or empty = per process; its password is a secret', () => {
    expect(loadConfig({}).redis).toBeNull();
    expect(loadConfig({ REDIS_URL: '' }).redis).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis://localhost:6379' }).redis).toEqual({
      url: 'redis://localhost:6379',
    });
    const tls = loadConfig({ REDIS_URL: 'rediss://:s3cret%2Fpw@redis.example.fr:6380/2' });
    expect(tls.redis?.url).toBe('rediss://:s3cret%2Fpw@redis.example.fr:6380/2');
    // As written in the URL and decoded: the logger scrubs both.
    expect(secretsOf(tls)).toEqual(['s3cret%2Fpw', 's3cret/pw']);
    expect(secretsOf(loadConfig({ REDIS_URL: 'redis://localhost:6379' }))).toEqual([]);
    for (const bad of ['http://localhost:6379', 'localhost:6379', 'redis//x']) {
      try {
        loadConfig({ REDIS_URL: bad });
        expect.unreachable(bad);
      } catch (e) {
        expect((e as ConfigError).problems).toEqual([
          'REDIS_URL: a redis:// or rediss:// URL, e.g. redis://localhost:6379',
        ]);
      }
    }
    try {
      loadConfig({ REDIS_URL: 'http://:hunter2-redis@localhost' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2-redis');
    }
  });

  it('SYNC_JOB_LOCK_MS: how long a claim on a running sync job lasts (30 s; at least 1000 ms)', () => {
    expect(loadConfig({}).jobs).toEqual({ lockMs: 30_000 });
    expect(loadConfig({ SYNC_JOB_LOCK_MS: '5000' }).jobs).toEqual({ lockMs: 5000 });
    expect(() => loadConfig({ SYNC_JOB_LOCK_MS: '999' })).toThrow(/SYNC_JOB_LOCK_MS/);
    expect(() => loadConfig({ SYNC_JOB_LOCK_MS: 'soon' })).toThrow(/SYNC_JOB_LOCK_MS/);
  });
});
