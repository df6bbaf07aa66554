import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityConfig } from '../src/config';
import { OPEN_SECURITY } from '../src/server';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * Findings of the hardening issue on readiness, metrics, authentication failures, slow clients and refused
 * upstream credentials, each shown through HTTP.
 */

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('/ready deadlock', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      students: 20,
      timeoutMs: 400,
      listCacheTtlMs: 0,
      resilience: {
        retries: 0,
        breakerThreshold: 3,
        breakerHalfOpenAfterMs: 300,
      },
    });
  });
  afterAll(() => gw.close());

  it('/ready deadlock: /ready probes the upstream through its breaker and is back to 200 within seconds of it recovering, with no other traffic', async () => {
    gw.sims.moodle!.setFaults({ down: true });
    for (let i = 0; i < 4; i += 1) await gw.query('{ courses(first: 1) { totalCount } }');
    expect(await metric(gw.url, 'campusgraph_upstream_breaker_state{system="moodle"}')).toBe(2);
    const down = await fetch(`${gw.url}/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ upstreams: { moodle: { ok: false } } });

    gw.reset(); // Moodle is back; from here on only /ready is asked
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 8000) {
      status = (await fetch(`${gw.url}/ready`)).status;
      if (status === 200) break;
      await sleep(200);
    }
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(await metric(gw.url, 'campusgraph_upstream_breaker_state{system="moodle"}')).toBe(0);
  });
});

describe('metrics', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      students: 20,
      captureLogs: false,
      security: { ...OPEN_SECURITY, rateLimitPerMinute: 1_000_000 },
    });
  });
  afterAll(() => gw.close());

  it('metrics cardinality: 20,000 distinct operation names leave /metrics under 1 MB', async () => {
    // Pipelined on a few keep-alive sockets: the client's own cost stays small beside the gateway's.
    const { port } = new URL(gw.url);
    const pipeline = (from: number, count: number) =>
      new Promise<number>((resolve, reject) => {
        let seen = '';
        let ok = 0;
        const socket = connect(Number(port), '127.0.0.1', () => {
          const requests: string[] = [];
          for (let i = from; i < from + count; i += 1) {
            const body = JSON.stringify({ query: `query Probe${i} { __typename }` });
            requests.push(
              `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
            );
          }
          socket.write(requests.join(''));
        });
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          seen += chunk;
          const parts = seen.split('HTTP/1.1 200 OK');
          ok += parts.length - 1;
          seen = parts[parts.length - 1]!;
          if (ok === count) {
            socket.end();
            resolve(ok);
          }
        });
        socket.on('error', reject);
      });
    const per = 2500;
    const answered = await Promise.all(Array.from({ length: 8 }, (_, w) => pipeline(w * per, per)));
    expect(answered.reduce((a, b) => a + b, 0)).toBe(20_000);
    const body = Buffer.from(await (await fetch(`${gw.url}/metrics`)).arrayBuffer());
    expect(body.length).toBeLessThan(1_000_000);
    const text = body.toString('utf8');
    expect(text).not.toContain('Probe1');
    expect(text).not.toContain('Probe19999');
    expect(text).toMatch(
      /campusgraph_graphql_requests_total\{operation="other",outcome="ok"\} 20000/,
    );
  }, 120_000);

  it('metrics port and token: METRICS_PORT serves /metrics on its own listener only, METRICS_TOKEN guards it', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const g = await startTestGateway({ students: 20, metricsEndpoint: { port: 0, token } });
    try {
      const main = await fetch(`${g.url}/metrics`);
      expect(await main.text()).not.toContain('campusgraph_');
      expect(main.status).not.toBe(200);
      const address = g.gateway.metricsServer!.address() as { port: number };
      const metricsUrl = `http://127.0.0.1:${address.port}/metrics`;
      expect((await fetch(metricsUrl)).status).toBe(401);
      expect((await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
        401,
      );
      const ok = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('campusgraph_upstream_breaker_state');
    } finally {
      await g.close();
    }
  });
});

describe('failed authentication and slow clients', () => {
  const KEY = 'good-key-0123456789abcdef';
  const SECURITY: SecurityConfig = {
    ...OPEN_SECURITY,
    auth: { apiKeys: [{ name: 'app', key: KEY, scopes: ['*'] }], jwt: null, disabled: false },
    authFailuresPerMinute: 5,
    requestTimeoutMs: 1000,
    headersTimeoutMs: 500,
  };
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ students: 20, security: SECURITY, secrets: [KEY] });
  });
  afterAll(() => gw.close());

  const send = (authorization: string) =>
    fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  it('failed authentication: throttled per IP with 429 + Retry-After, each failure logged without the credential', async () => {
    expect((await send(`Bearer ${KEY}`)).status).toBe(200);
    const guesses = Array.from({ length: 5 }, (_, i) => `guess-${i}-0123456789abcdef`);
    for (const guess of guesses) expect((await send(`Bearer ${guess}`)).status).toBe(401);
    const throttled = await send('Bearer guess-5-0123456789abcdef');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // While throttled even the right key is refused: guessing stays slow.
    expect((await send(`Bearer ${KEY}`)).status).toBe(429);
    const failures = gw.logLines
      .filter((l) => l.includes('authentication failed'))
      .map((l) => JSON.parse(l) as { level: number; ip?: string; reason?: string });
    expect(failures).toHaveLength(5);
    for (const f of failures) {
      expect(f.ip).toMatch(/127\.0\.0\.1/);
      expect(f.reason).toBe('unknown credentials');
      expect(f.level).toBe(40);
    }
    const all = gw.logLines.join('\n');
    for (const guess of guesses) expect(all).not.toContain(guess);
  });

  it('slow request bodies: a body that never finishes is cut off at REQUEST_TIMEOUT_MS, slow headers at HEADERS_TIMEOUT_MS', async () => {
    const { port } = new URL(gw.url);
    const hold = (payload: string) =>
      new Promise<{ closedAfterMs: number; reply: string }>((resolve) => {
        const started = Date.now();
        let reply = '';
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(payload));
        socket.on('data', (chunk) => (reply += String(chunk)));
        socket.on('error', () => undefined);
        const giveUp = setTimeout(() => socket.destroy(), 6000);
        socket.on('close', () => {
          clearTimeout(giveUp);
          resolve({ closedAfterMs: Date.now() - started, reply });
        });
      });
    const [body, headers] = await Promise.all([
      hold(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: 1000\r\n\r\n{"query":`,
      ),
      hold('POST /graphql HTTP/1.1\r\nHost: x\r\n'),
    ]);
    expect(body.closedAfterMs).toBeLessThan(4000);
    expect(headers.closedAfterMs).toBeLessThan(4000);
    expect(headers.reply).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);
});

describe('refused upstream credentials', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      students: 20,
      listCacheTtlMs: 0,
      resilience: {
        retries: 2,
        retryBaseMs: 10,
        breakerThreshold: 3,
        breakerHalfOpenAfterMs: 60_000,
      },
    });
  });
  afterAll(() => gw.close());

  it('refused upstream credentials open the breaker: not retried, and once open no more logins are tried', async () => {
    gw.sims.moodle!.forceException({ errorcode: 'invalidtoken', message: 'Invalid token' });
    gw.resetCalls();
    await gw.query('{ courses(first: 1) { totalCount } }');
    expect(gw.calls().core_course_get_courses_by_field).toBe(1); // not retried
    for (let i = 0; i < 3; i += 1) await gw.query('{ courses(first: 1) { totalCount } }');
    expect(await metric(gw.url, 'campusgraph_upstream_breaker_state{system="moodle"}')).toBe(2);
    gw.resetCalls();
    const fast = await gw.query('{ courses(first: 1) { totalCount } }');
    expect(fast.errors![0]!.message).toContain('circuit open');
    expect(gw.calls().core_course_get_courses_by_field).toBeUndefined();
    gw.sims.moodle!.forceException(null);
  });
});
