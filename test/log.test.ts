import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../src/log';
import { UpstreamError } from '../src/upstreams/errors';

it('redacts secrets by key and scrubs configured secret values from every line, errors included', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk, _e, done) => (lines.push(String(chunk)), done()),
  });
  const log = createLogger({ destination, secrets: ['tok-123456', 'pa55word!'] });
  log.info(
    { wstoken: 'anything', nested: { password: 'x', authorization: 'Bearer y' } },
    'called with tok-123456',
  );
  log.error({ err: new Error('failed for pa55word! at login') }, 'boom');
  const upstream = new UpstreamError({
    system: 'moodle',
    code: 'REJECTED',
    message: 'Moodle x: refused',
    detail: 'debuginfo: SELECT … tok-123456',
  });
  log.warn({ err: upstream }, 'upstream failure');
  const all = lines.join('');
  expect(all).not.toContain('tok-123456');
  expect(all).not.toContain('pa55word!');
  expect(all).not.toContain('anything');
  expect(all).not.toContain('Bearer y');
  // The diagnostic detail reaches the log (scrubbed), and only the log: it is not enumerable on the error.
  expect(all).toContain('debuginfo: SELECT');
  expect(JSON.stringify(upstream)).not.toContain('debuginfo');
  expect(lines).toHaveLength(3);
});

it('pretty format (development): one readable line per event, secrets scrubbed just the same', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk, _e, done) => (lines.push(String(chunk)), done()),
  });
  const log = createLogger({ destination, format: 'pretty', secrets: ['tok-123456'] });
  log.info({ upstream: 'moodle', token: 'x' }, 'called with tok-123456');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: called with \[REDACTED\] \{.*"upstream":"moodle"/,
  );
  expect(lines[0]).not.toContain('tok-123456');
  expect(() => JSON.parse(lines[0]!) as unknown).toThrow();
});
