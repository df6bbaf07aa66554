import type { DemoUniversity } from '../demo-data/types';
import { startSimServer, type SimServer } from '../harness';
import { error, notFoundPage, unauthorized } from './replies';
import { buildRoutes } from './routes';
import { locate, matchRoute } from './routing';
import { ScodocStore } from './store';
import { createTokenAuth } from './tokens';

/**
 * A ScoDoc 9 API on loopback: `/ScoDoc/api/...` and the department-scoped `/ScoDoc/<DEPT>/api/...`, token
 * auth with ScoDoc's rules, 404 for a missing singular object and [] for an empty plural route, JSON error
 * bodies `{error, status, message}`, and Flask's HTML 404 page for a path that is no route at all.
 */

export interface ScodocSimulatorOptions {
  university: DemoUniversity;
  port?: number;
  host?: string;
  username?: string;
  password?: string;
  tokenTtlSeconds?: number;
  /** Clock in ms for token expiry; tests move it forward. */
  now?: () => number;
  /**
   * Whether the API account may read personal data (default true). When false, the long étudiant forms
   * leave out email, emailperso, date_naissance and lieu_naissance (unverified: see ScodocStore.personalData).
   */
  personalData?: boolean;
}

export type ScodocSimulator = SimServer & {
  store: ScodocStore;
  /** Forgets every issued token, as a ScoDoc restart does: the next API call gets a 401. */
  revokeTokens(): void;
  /** Grants or withdraws the personal-data permission of the API account (see the option). */
  setPersonalData(on: boolean): void;
};

export async function startScodocSimulator(opts: ScodocSimulatorOptions): Promise<ScodocSimulator> {
  const store = ScodocStore.fromUniversity(opts.university);
  store.personalData = opts.personalData ?? true;
  const now = opts.now ?? Date.now;
  const auth = createTokenAuth({
    username: opts.username ?? 'demo',
    password: opts.password ?? 'demo',
    ttlMs: (opts.tokenTtlSeconds ?? 3600) * 1000,
    now,
  });
  const routes = buildRoutes(store, () => new Date(now()).toISOString());

  const server = await startSimServer({
    name: 'scodoc',
    port: opts.port,
    host: opts.host,
    handle: (req, ctx) => {
      const located = locate(req.path);
      if (!located) return notFoundPage();
      if (located.rest === '/tokens' && req.method === 'POST') {
        ctx.count('POST /tokens');
        return auth.issue(req);
      }
      // Flask routes first: a path that is no route answers the HTML page whatever the département.
      const match = matchRoute(routes, req.method, located.rest);
      if (!match) return notFoundPage();
      const scope = located.dept === undefined ? undefined : store.deptByAcronym(located.dept);
      if (located.dept !== undefined && !scope)
        return error(404, 'Not Found', `département ${located.dept} inconnu`);
      ctx.count(`${match.route.method} ${match.route.template}`);
      if (!auth.authorized(req)) return unauthorized();
      let body: unknown;
      if (req.method === 'POST' && req.body.length > 0) {
        try {
          body = JSON.parse(req.body.toString('utf8'));
        } catch {
          return error(400, 'Bad Request', 'données JSON invalides');
        }
      }
      return match.route.handler({ params: match.params, query: req.query, body, scope });
    },
  });

  return Object.assign(server, {
    store,
    revokeTokens() {
      auth.revoke();
    },
    setPersonalData(on: boolean) {
      store.personalData = on;
    },
  });
}
