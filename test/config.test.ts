import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('defaults to demo mode with both upstreams simulated', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, scodoc: { simulated: true, timeoutMs: 10_000 }, moodle: { simulated: true, maxParamsPerRequest: 4000 } });
    expect(c.linking).toEqual({ student: 'idnumber', department: 'idnumber', semester: 'idnumber' });
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
      connections: 10,
    });
    expect(c.moodle.simulated).toBe(true);
  });

  it('names every bad variable on its own line, and never prints a value', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({ PORT: 'eighty', SCODOC_URL: 'ftp://x', MOODLE_TIMEOUT_MS: '-5', LINK_STUDENT_BY: 'shoesize' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const names = err!.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'SCODOC_URL', 'MOODLE_TIMEOUT_MS', 'LINK_STUDENT_BY']));
    expect(err!.message).not.toContain('eighty');
    expect(err!.message).not.toContain('shoesize');
  });

  it('parses MOODLE_ROLE_IDS as a JSON map and rejects anything else', () => {
    expect(loadConfig({ MOODLE_ROLE_IDS: '{"student": 5, "editingteacher": 3}' }).moodle.roleIds).toEqual({ student: 5, editingteacher: 3 });
    expect(() => loadConfig({ MOODLE_ROLE_IDS: '{"student": "five"}' })).toThrow(/MOODLE_ROLE_IDS: a JSON object/);
  });

  it('requires credentials with a URL, without echoing the secret', () => {
    expect(() => loadConfig({ MOODLE_URL: 'https://moodle.example.fr' })).toThrow(/MOODLE_TOKEN: required when MOODLE_URL is set/);
    try {
      loadConfig({ SCODOC_URL: 'https://s.example.fr/ScoDoc', SCODOC_PASSWORD: 'hunter2-secret' });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual(['SCODOC_USERNAME: required when SCODOC_URL is set']);
      expect((e as Error).message).not.toContain('hunter2-secret');
    }
    expect(() => loadConfig({ MOODLE_TOKEN: 'abc' })).toThrow(/MOODLE_TOKEN: set without MOODLE_URL/);
  });
});
