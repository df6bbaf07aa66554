import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import type { MoodleConfig, ScodocConfig } from './config';
import { createContextFactory } from './graph/context';
import { maskError } from './graph/errors';
import { DEFAULT_LINKING, type LinkingRules } from './graph/linking';
import { ListCache } from './graph/list-cache';
import { GRAPHIQL_DEFAULT_QUERY } from './graph/examples';
import { schema } from './graph/schema';
import type { Logger } from './log';
import type { AccountPolicy } from './writes/context';
import { createMoodleClient } from './upstreams/moodle/client';
import { createScodocClient } from './upstreams/scodoc/client';

export interface GatewayOptions {
  scodoc: ScodocConfig;
  moodle: MoodleConfig;
  log: Logger;
  production?: boolean;
  linking?: LinkingRules;
  listCacheTtlMs?: number;
  accounts?: AccountPolicy;
  /** Today's date (ISO) for "current" semesters; tests fix it. */
  today?: () => string;
}

export interface Gateway {
  server: Server;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** The gateway: one Yoga instance over both upstream clients, on a plain node:http server. */
export function createGateway(opts: GatewayOptions): Gateway {
  const scodoc = createScodocClient(opts.scodoc);
  const moodle = createMoodleClient(opts.moodle, { roleIds: opts.moodle.roleIds });
  const yoga = createYoga({
    schema,
    context: createContextFactory({
      scodoc,
      moodle,
      log: opts.log,
      linking: opts.linking ?? DEFAULT_LINKING,
      accounts: opts.accounts ?? { usernameRule: 'nip', auth: 'cas' },
      lists: new ListCache(opts.listCacheTtlMs ?? 60_000),
      today: opts.today ?? (() => new Date().toISOString().slice(0, 10)),
    }),
    graphqlEndpoint: '/graphql',
    graphiql: opts.production ? false : { title: 'Campus Graph', defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    maskedErrors: { maskError: (error, message) => maskError(error, message, opts.log) },
    logging: {
      debug: (...args) => opts.log.debug(args.map(String).join(' ')),
      info: (...args) => opts.log.info(args.map(String).join(' ')),
      warn: (...args) => opts.log.warn(args.map(String).join(' ')),
      error: (...args) => opts.log.error(args.map(String).join(' ')),
    },
  });
  const server = createServer((req, res) => {
    // Liveness: answered before Yoga, so it never touches an upstream, a plugin or a rate limit.
    if (req.url === '/health' || req.url?.startsWith('/health?')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    yoga(req, res);
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host && host !== '0.0.0.0' ? host : 'localhost'}:${address.port}`);
        });
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; requests in flight are left to finish.
      server.closeIdleConnections();
      await closed;
      await Promise.all([scodoc.close(), moodle.close()]);
    },
  };
}
