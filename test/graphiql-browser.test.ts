import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * GraphiQL in a real browser, as someone on a network without Internet would open it: every request the
 * page makes goes to the gateway, the roster example is there with its variables, and Run answers.
 */

const CHROMIUM = '/usr/bin/chromium';

describe('GraphiQL in a headless browser', () => {
  let g: TestGateway;
  let browser: Browser;
  let profile: string;

  beforeAll(async () => {
    // CI installs Chromium (.ci/run): a missing browser is a broken setup, not a reason to skip.
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install it (apt-get install -y chromium)`);
    profile = mkdtempSync(join(tmpdir(), 'graphiql-chromium-'));
    [g, browser] = await Promise.all([
      startTestGateway({ security: { ...OPEN_SECURITY, graphiql: true } }),
      launch({
        executablePath: CHROMIUM,
        headless: true,
        // Chromium's own calls home (updates, sync, QUIC probes) would be refused on a closed network.
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${profile}`,
        ],
      }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await g?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads everything from the gateway, opens on the roster with its variables, and runs it', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    // Worker scripts are requested by the workers' own targets, which `page` does not see.
    browser.on('targetcreated', (t) => requests.push(t.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));

    const response = await page.goto(`${g.url}/graphql`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/text\/html/);

    const queryEditor = '.graphiql-query-editor .view-lines';
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes('DepartmentRoster'),
      { timeout: 10_000 },
      queryEditor,
    );
    const text = (sel: string) =>
      page.$eval(sel, (el) => (el as HTMLElement).innerText.replace(/\u00a0/g, ' '));
    expect(await text(queryEditor)).toContain('query DepartmentRoster($acronym: String!');
    // The variables pane is filled (GraphiQL opens it when the tab has variables).
    await page.waitForFunction(
      () =>
        document.querySelector('.graphiql-editor-tool .view-lines')?.textContent?.includes('INFO'),
      { timeout: 5_000 },
    );
    expect(await text('.graphiql-editor-tool .view-lines')).toMatch(/"acronym":\s*"INFO"/);
    // The other examples are tabs, one click away.
    const tabs = await page.$$eval('.graphiql-tab-button', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(tabs.slice(0, 4)).toEqual(['DepartmentRoster', 'Departments', 'Courses', 'Semesters']);

    await page.click('.graphiql-execute-button');
    const result = '.graphiql-response .view-lines';
    await page.waitForFunction(
      (sel) => /"data"|"errors"/.test(document.querySelector(sel)?.textContent ?? ''),
      { timeout: 10_000 },
      result,
    );
    const answer = await text(result);
    expect(answer).toMatch(/"acronym":\s*"INFO"/);
    expect(answer).not.toContain('"errors"');

    const origin = new URL(g.url).origin;
    const elsewhere = requests.filter(
      (u) => !u.startsWith(`${origin}/`) && !/^(blob|data|about):/.test(u),
    );
    expect(elsewhere).toEqual([]);
    expect(requests.some((u) => /\/graphiql\/assets\/favicon-[0-9a-f]+\.ico$/.test(u))).toBe(true);
    expect(requests.some((u) => /\/graphiql\/assets\/graphiql-[0-9a-f]+\.js$/.test(u))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
