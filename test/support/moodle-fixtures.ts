import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { generateDemoUniversity } from '../../src/simulators/demo-data/generate';
import type { DemoUniversity } from '../../src/simulators/demo-data/types';

/**
 * Replay of recorded Moodle request/response pairs (shared/fixtures/moodle*) against the simulator: the
 * request is sent as recorded (with the test's token), and the reply must agree with the recorded one except
 * for values that depend on the clock and the site (VOLATILE keys, the site URL).
 */

/** Values that depend on the clock, the database's sort gaps, or hashes of them. */
const VOLATILE = new Set([
  'timemodified',
  'timecreated',
  'cacherev',
  'sortorder',
  'categorysortorder',
  'startdate',
  'enddate',
  'lastaccess',
  'firstaccess',
]);

export interface Fixture {
  description: string;
  request: { method: string; path: string; form: Array<[string, string]> };
  response: { status: number; contentType: string; body: unknown };
}

export function readFixture(dir: string, name: string): Fixture {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as Fixture;
}

/** Sends a fixture's request to the simulator and checks the reply against the recording. */
export async function replayFixture(
  simUrl: string,
  fixture: Fixture,
  opts: { token: string; recordedSite: string; shapeOnly?: boolean },
): Promise<void> {
  const { token: TOKEN, recordedSite } = opts;
  const form = fixture.request.form.map(
    ([k, v]) => [k, k === 'wstoken' && v === 'TOKEN' ? TOKEN : v] as [string, string],
  );
  const res = await fetch(`${simUrl}${fixture.request.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  expect(res.status).toBe(fixture.response.status);
  expect(res.headers.get('content-type')).toBe(fixture.response.contentType);

  if (typeof fixture.response.body === 'string') {
    const themeRevision = (xml: string) => xml.replace(/\/core\/\d+\/u\//g, '/core/<n>/u/');
    expect(themeRevision(text.replaceAll(simUrl, recordedSite))).toBe(
      themeRevision(fixture.response.body),
    );
    return;
  }
  // The recording replaced the real token with TOKEN in responses too (login/token.php returns it).
  const expected = normalize(
    JSON.parse(JSON.stringify(fixture.response.body).replaceAll('"TOKEN"', JSON.stringify(TOKEN))),
    recordedSite,
  );
  const actual = normalize(JSON.parse(text), simUrl);
  if (opts.shapeOnly) expect(shape(actual)).toEqual(shape(expected));
  else expect(actual).toEqual(expected);
}

/** Replaces clock- and site-dependent values with markers, keeping every key and every other value. */
function normalize(value: unknown, site: string, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, site));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, site, k)]));
  }
  if (VOLATILE.has(key) && typeof value === 'number') return '<clock>';
  if (typeof value === 'string') {
    let s = value.replaceAll(site, '<site>');
    // Image URLs carry a theme revision and a context id of the recording site.
    if (s.startsWith('<site>/')) s = s.replace(/\/\d+\//g, '/<n>/');
    // A soft-deleted user's scrambled identity embeds the deletion time and a hash.
    s = s.replace(/\.\d{10}$/, '.<clock>').replace(/^[0-9a-f]{32}$/, '<md5>');
    return s;
  }
  return value;
}

function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, shape(v)])
        .sort(),
    );
  return value === null ? null : typeof value;
}

/** A site with no demo data: only what a fresh Moodle has (the recordings' preconditions are added by each). */
export function emptyUniversity(today: string): DemoUniversity {
  return {
    ...generateDemoUniversity({ students: 10, today }),
    departments: [],
    semesters: [],
    students: [],
    registrations: [],
    moodleOnlyUsers: [],
    extraCourses: [],
    enrolments: [],
  };
}
