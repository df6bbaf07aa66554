import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';

/**
 * What both simulators share: an HTTP server on loopback, the test hooks under `/__sim/`, call counting and
 * fault injection. Each simulator supplies only its own routing (`handle`).
 *
 *   GET  /__sim/stats   → {"calls": {"<wsfunction or route template>": n}}
 *   POST /__sim/reset   → zeroes the counters
 *   POST /__sim/faults  → {down?, latencyMs?, errorRate?, malformed?}; each value persists until changed
 */

const faultsSchema = z
  .object({
    /** Every upstream request has its connection dropped without an answer (the hooks keep working). */
    down: z.boolean(),
    /** Added before every upstream answer. */
    latencyMs: z.number().int().min(0).max(600_000),
    /** Fraction of upstream requests answered 500 (deterministic sequence, not random). */
    errorRate: z.number().min(0).max(1),
    /** Every upstream answer is replaced by a truncated, unparsable JSON body. */
    malformed: z.boolean(),
  })
  .partial()
  .strict();

type Faults = Required<z.infer<typeof faultsSchema>>;

export interface SimRequest {
  method: string;
  /** Path without query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface SimResponse {
  status: number;
  contentType?: string;
  /** A string or Buffer is sent as it is; anything else is JSON-encoded with `application/json`. */
  body: unknown;
  headers?: Record<string, string>;
}

interface SimHandlerContext {
  /** Count one call under this key (a wsfunction name, or a ScoDoc route template such as `GET /etudiant/nip/<nip>`). */
  count(key: string): void;
}

export type SimHandler = (
  req: SimRequest,
  ctx: SimHandlerContext,
) => Promise<SimResponse> | SimResponse;

export interface SimServer {
  url: string;
  port: number;
  server: Server;
  stats(): Record<string, number>;
  resetStats(): void;
  setFaults(f: Partial<Faults>): void;
  /** Back to a healthy upstream: no fault of any kind. */
  clearFaults(): void;
  faults(): Faults;
  close(): Promise<void>;
}

const NO_FAULTS: Faults = { down: false, latencyMs: 0, errorRate: 0, malformed: false };
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function startSimServer(opts: {
  name: string;
  port?: number;
  host?: string;
  handle: SimHandler;
}): Promise<SimServer> {
  const calls = new Map<string, number>();
  let faults: Faults = { ...NO_FAULTS };
  // A deterministic error sequence: with errorRate r, request n fails when floor(n*r) advances.
  let faultCounter = 0;
  const sockets = new Set<Socket>();

  const ctx: SimHandlerContext = {
    count(key) {
      calls.set(key, (calls.get(key) ?? 0) + 1);
    },
  };

  // The handler never rejects: every failure becomes an answer (or a destroyed socket) below.
  const server = createServer((req, res) => void serve(req, res));
  async function serve(req: IncomingMessage, res: ServerResponse) {
    try {
      const url = new URL(req.url ?? '/', 'http://sim.invalid');
      const body = await readBody(req);
      if (url.pathname.startsWith('/__sim/')) {
        return send(res, hooks(req.method ?? 'GET', url.pathname, body));
      }
      if (faults.down) {
        req.socket.destroy();
        return;
      }
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (faults.errorRate > 0) {
        const before = Math.floor(faultCounter * faults.errorRate);
        faultCounter += 1;
        if (Math.floor(faultCounter * faults.errorRate) > before) {
          return send(res, {
            status: 500,
            contentType: 'text/html; charset=utf-8',
            body: '<html><body><h1>500 Internal Server Error</h1></body></html>',
          });
        }
      }
      const answer = await opts.handle(
        {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
        },
        ctx,
      );
      if (faults.malformed) {
        return send(res, {
          status: answer.status,
          contentType: 'application/json',
          body: '{"truncated": [1, 2, ',
        });
      }
      send(res, answer);
    } catch (err) {
      if (!res.headersSent) {
        send(res, {
          status: 500,
          contentType: 'text/plain',
          body: `simulator ${opts.name} failed: ${(err as Error).message}`,
        });
      } else {
        res.destroy();
      }
    }
  }

  function hooks(method: string, path: string, body: Buffer): SimResponse {
    if (method === 'GET' && path === '/__sim/stats') {
      return { status: 200, body: { calls: Object.fromEntries(calls) } };
    }
    if (method === 'POST' && path === '/__sim/reset') {
      calls.clear();
      faultCounter = 0;
      return { status: 200, body: { ok: true } };
    }
    if (method === 'POST' && path === '/__sim/faults') {
      let json: unknown;
      try {
        json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        return { status: 400, body: { error: 'body must be JSON' } };
      }
      const parsed = faultsSchema.safeParse(json);
      if (!parsed.success)
        return {
          status: 400,
          body: {
            error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          },
        };
      faults = { ...faults, ...parsed.data };
      return { status: 200, body: { faults } };
    }
    if (method === 'GET' && path === '/__sim/faults') return { status: 200, body: { faults } };
    return { status: 404, body: { error: 'unknown simulator hook' } };
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Keep-alive like a real web server, but short enough that closing in tests is quick.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    stats: () => Object.fromEntries(calls),
    resetStats: () => {
      calls.clear();
      faultCounter = 0;
    },
    setFaults: (f) => {
      faults = { ...faults, ...faultsSchema.parse(f) };
    },
    clearFaults: () => {
      faults = { ...NO_FAULTS };
    },
    faults: () => ({ ...faults }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, answer: SimResponse) {
  let payload: string | Buffer;
  let contentType = answer.contentType;
  if (typeof answer.body === 'string' || Buffer.isBuffer(answer.body)) {
    payload = answer.body;
  } else {
    payload = JSON.stringify(answer.body);
    contentType ??= 'application/json';
  }
  res.writeHead(answer.status, {
    'content-type': contentType ?? 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...answer.headers,
  });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
