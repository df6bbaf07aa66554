import { randomBytes } from 'node:crypto';
import type { DemoUniversity } from '../demo-data/types';
import { startSimServer, type SimRequest, type SimResponse, type SimServer } from '../harness';
import { ScodocStore, type DeptRow, type SemRow } from './store';

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

interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Set on the department-scoped API: only that département's data is visible. */
  scope: DeptRow | undefined;
}

type Handler = (ctx: RouteContext) => SimResponse;

interface Route {
  method: 'GET' | 'POST';
  template: string;
  segments: string[];
  handler: Handler;
}

export async function startScodocSimulator(opts: ScodocSimulatorOptions): Promise<ScodocSimulator> {
  const store = ScodocStore.fromUniversity(opts.university);
  store.personalData = opts.personalData ?? true;
  const now = opts.now ?? Date.now;
  const ttlMs = (opts.tokenTtlSeconds ?? 3600) * 1000;
  const credentials = { username: opts.username ?? 'demo', password: opts.password ?? 'demo' };
  const tokens = new Map<string, number>();
  let current: { token: string; expiresAt: number } | null = null;
  const routes = buildRoutes(store, () => new Date(now()).toISOString());

  function issueToken(req: SimRequest): SimResponse {
    const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const [user, ...rest] = auth ? Buffer.from(auth[1]!, 'base64').toString('utf8').split(':') : [];
    // unverified: bad Basic credentials get the same 401 body as a bad token.
    if (user !== credentials.username || rest.join(':') !== credentials.password)
      return unauthorized();
    // scodoc-evidence.md: get_token "returns the same token while it has more than 60 s left".
    if (current && current.expiresAt - now() > 60_000 && tokens.has(current.token))
      return json({ token: current.token });
    // scodoc-evidence.md: "Tokens are standard base64 (`+`, `/`, `=` can occur), not base64url"; 40 bytes
    // always end in "=" padding.
    current = { token: randomBytes(40).toString('base64'), expiresAt: now() + ttlMs };
    tokens.set(current.token, current.expiresAt);
    return json({ token: current.token });
  }

  function authorized(req: SimRequest): boolean {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const expiresAt = bearer ? tokens.get(bearer[1]!) : undefined;
    return expiresAt !== undefined && expiresAt > now();
  }

  const server = await startSimServer({
    name: 'scodoc',
    port: opts.port,
    host: opts.host,
    handle: (req, ctx) => {
      const located = locate(req.path);
      if (!located) return notFoundPage();
      if (located.rest === '/tokens' && req.method === 'POST') {
        ctx.count('POST /tokens');
        return issueToken(req);
      }
      // Flask routes first: a path that is no route answers the HTML page whatever the département.
      const match = matchRoute(routes, req.method, located.rest);
      if (!match) return notFoundPage();
      const scope = located.dept === undefined ? undefined : store.deptByAcronym(located.dept);
      if (located.dept !== undefined && !scope)
        return error(404, 'Not Found', `département ${located.dept} inconnu`);
      ctx.count(`${match.route.method} ${match.route.template}`);
      if (!authorized(req)) return unauthorized();
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
      tokens.clear();
      current = null;
    },
    setPersonalData(on: boolean) {
      store.personalData = on;
    },
  });
}

/** `/ScoDoc/api/x` → {rest: '/x'}; `/ScoDoc/INFO/api/x` → {dept: 'INFO', rest: '/x'}. */
function locate(path: string): { dept?: string; rest: string } | null {
  const global = /^\/ScoDoc\/api(\/.*)$/.exec(path);
  if (global) return { rest: global[1]! };
  const scoped = /^\/ScoDoc\/([^/]+)\/api(\/.*)$/.exec(path);
  return scoped ? { dept: decodeURIComponent(scoped[1]!), rest: scoped[2]! } : null;
}

const INT_PARAMS = new Set(['id', 'etudid']);

function matchRoute(
  routes: Route[],
  method: string,
  rest: string,
): { route: Route; params: Record<string, string> } | null {
  const parts = rest.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = route.segments.every((seg, i) => {
      if (seg.startsWith('<')) {
        const name = seg.slice(1, -1);
        // unverified: ScoDoc declares its ids `<int:...>`, so a non-integer id is no route for Flask.
        if (INT_PARAMS.has(name) && !/^\d+$/.test(parts[i]!)) return false;
        params[name] = parts[i]!;
        return true;
      }
      return seg === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

function buildRoutes(store: ScodocStore, nowIso: () => string): Route[] {
  const routes: Route[] = [];
  const add = (method: Route['method'], template: string, handler: Handler) =>
    routes.push({ method, template, segments: template.split('/').slice(1), handler });

  const visibleDepts = (scope?: DeptRow) =>
    [...store.departements.values()].filter((d) => !scope || d.id === scope.id);
  const deptFrom = (ctx: RouteContext): DeptRow | undefined => {
    const d =
      ctx.params.id !== undefined
        ? store.departements.get(Number(ctx.params.id))
        : store.deptByAcronym(ctx.params.acronym ?? '');
    return d && (!ctx.scope || d.id === ctx.scope.id) ? d : undefined;
  };
  const inScope = (deptId: number, scope?: DeptRow) => !scope || scope.id === deptId;

  // ---------- départements
  add('GET', '/departements', (ctx) => json(visibleDepts(ctx.scope).map((d) => store.deptJson(d))));
  add('GET', '/departements_ids', (ctx) => json(visibleDepts(ctx.scope).map((d) => d.id)));
  add('GET', '/departement/id/<id>', (ctx) => withDept(ctx, (d) => json(store.deptJson(d))));
  add('GET', '/departement/<acronym>', (ctx) => withDept(ctx, (d) => json(store.deptJson(d))));
  add('POST', '/departement/create', (ctx) => {
    const body = ctx.body as
      | { acronym?: unknown; dept_name?: unknown; description?: unknown; visible?: unknown }
      | undefined;
    if (!body || typeof body.acronym !== 'string' || body.acronym.trim() === '')
      return error(400, 'Bad Request', 'acronym manquant');
    if (body.visible !== undefined && typeof body.visible !== 'boolean')
      return error(400, 'Bad Request', 'visible doit être un booléen');
    if (store.deptByAcronym(body.acronym))
      return error(400, 'Bad Request', `département ${body.acronym} déjà existant`);
    const row = store.createDept(
      {
        acronym: body.acronym,
        dept_name: str(body.dept_name),
        description: str(body.description),
        visible: body.visible,
      },
      nowIso(),
    );
    return json(store.deptJson(row));
  });
  add('POST', '/departement/<acronym>/edit', (ctx) =>
    withDept(ctx, (d) => {
      const visible = (ctx.body as { visible?: unknown } | undefined)?.visible;
      if (typeof visible !== 'boolean')
        return error(400, 'Bad Request', 'visible doit être un booléen');
      d.visible = visible;
      return json(store.deptJson(d));
    }),
  );
  add('POST', '/departement/<acronym>/delete', (ctx) =>
    withDept(ctx, (d) => {
      store.deleteDept(d);
      return json({ OK: true });
    }),
  );

  // ---------- étudiants
  for (const list of ['/departement/<acronym>/etudiants', '/departement/id/<id>/etudiants']) {
    add('GET', list, (ctx) =>
      withDept(ctx, (d) =>
        json(
          [...store.etudiants.values()]
            .filter((e) => e.dept_id === d.id)
            .map((e) => store.etudShort(e)),
        ),
      ),
    );
  }
  for (const kind of ['etudid', 'nip', 'ine'] as const) {
    add('GET', `/etudiant/${kind}/<${kind}>`, (ctx) => {
      const found = store.latestRegistered(
        store.etudiantsBy(kind, ctx.params[kind]!, ctx.scope?.id),
      );
      return found ? json(store.etudLong(found)) : error(404, 'Not Found', 'étudiant inconnu');
    });
    add('GET', `/etudiants/${kind}/<${kind}>`, (ctx) =>
      json(store.etudiantsBy(kind, ctx.params[kind]!, ctx.scope?.id).map((e) => store.etudLong(e))),
    );
    add('GET', `/etudiant/${kind}/<${kind}>/formsemestres`, (ctx) => {
      const found = store.latestRegistered(
        store.etudiantsBy(kind, ctx.params[kind]!, ctx.scope?.id),
      );
      return found
        ? json(store.semestersOf(found.id).map((s) => store.semJson(s)))
        : error(404, 'Not Found', 'étudiant inconnu');
    });
  }
  const courants = (ctx: RouteContext, long: boolean) => {
    const current = new Set(
      [...store.formsemestres.values()]
        .filter((s) => store.isCurrent(s) && inScope(s.dept_id, ctx.scope))
        .map((s) => s.id),
    );
    const ids = new Set(
      store.inscriptions.filter((i) => current.has(i.formsemestre_id)).map((i) => i.etudid),
    );
    const etuds = [...ids].map((id) => store.etudiants.get(id)!).filter(Boolean);
    return json(etuds.map((e) => (long ? store.etudLong(e) : store.etudShort(e))));
  };
  add('GET', '/etudiants/courants', (ctx) => courants(ctx, false));
  add('GET', '/etudiants/courants/long', (ctx) => courants(ctx, true));
  add('POST', '/etudiant/create', (ctx) => {
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const dept = ctx.scope ?? store.deptByAcronym(str(body.dept) ?? '');
    if (!dept) return error(404, 'Not Found', 'département inconnu');
    const nom = str(body.nom)?.trim();
    const prenom = str(body.prenom)?.trim();
    if (!nom || !prenom) return error(400, 'Bad Request', 'nom et prénom requis');
    const civilite = str(body.civilite) ?? 'X';
    if (!['M', 'F', 'X'].includes(civilite)) return error(400, 'Bad Request', 'civilité invalide');
    const nip = str(body.code_nip) ?? null;
    // NIP and INE are unique within a département (not across).
    if (nip && store.etudiantsBy('nip', nip, dept.id).length > 0)
      return error(400, 'Bad Request', 'code NIP déjà utilisé dans ce département');
    const ine = str(body.code_ine) ?? null;
    if (ine && store.etudiantsBy('ine', ine, dept.id).length > 0)
      return error(400, 'Bad Request', 'code INE déjà utilisé dans ce département');
    const row = store.createEtudiant({
      dept_id: dept.id,
      code_nip: nip,
      code_ine: ine,
      civilite,
      nom: nom.toUpperCase(),
      nom_usuel: null,
      prenom,
      email: str(body.email) ?? null,
      emailperso: null,
      date_naissance: str(body.date_naissance) ?? null,
      lieu_naissance: null,
      nationalite: null,
      boursier: false,
    });
    return json(store.etudLong(row));
  });

  // ---------- formsemestres
  const withSem = (
    ctx: RouteContext,
    then: (s: NonNullable<ReturnType<typeof store.formsemestres.get>>) => SimResponse,
  ) => {
    const s = store.formsemestres.get(Number(ctx.params.id));
    return s && inScope(s.dept_id, ctx.scope)
      ? then(s)
      : error(404, 'Not Found', 'formsemestre inconnu');
  };
  add('GET', '/formsemestre/<id>', (ctx) => withSem(ctx, (s) => json(store.semJson(s))));
  add('GET', '/formsemestres/query', (ctx) => {
    const q = ctx.query;
    let sems = [...store.formsemestres.values()].filter((s) => inScope(s.dept_id, ctx.scope));
    if (q.get('annee_scolaire'))
      sems = sems.filter((s) => String(s.annee_scolaire) === q.get('annee_scolaire'));
    // unverified: an exact, case-sensitive match, like the acronym in URLs (ScodocStore.deptByAcronym).
    if (q.get('dept_acronym'))
      sems = sems.filter(
        (s) => store.departements.get(s.dept_id)?.acronym === q.get('dept_acronym'),
      );
    if (q.get('dept_id')) sems = sems.filter((s) => String(s.dept_id) === q.get('dept_id'));
    if (q.get('etape_apo')) sems = sems.filter((s) => s.etape_apo === q.get('etape_apo'));
    for (const kind of ['nip', 'ine'] as const) {
      const code = q.get(kind);
      if (!code) continue;
      const etudids = new Set(store.etudiantsBy(kind, code).map((e) => e.id));
      const semIds = new Set(
        store.inscriptions.filter((i) => etudids.has(i.etudid)).map((i) => i.formsemestre_id),
      );
      sems = sems.filter((s) => semIds.has(s.id));
    }
    return json(sems.map((s) => store.semJson(s)));
  });
  add('GET', '/departement/<acronym>/formsemestres_courants', (ctx) =>
    withDept(ctx, (d) =>
      json(
        [...store.formsemestres.values()]
          .filter((s) => s.dept_id === d.id && store.isCurrent(s))
          .map((s) => store.semJson(s)),
      ),
    ),
  );
  add('GET', '/departement/<acronym>/formsemestres_ids', (ctx) =>
    withDept(ctx, (d) =>
      json([...store.formsemestres.values()].filter((s) => s.dept_id === d.id).map((s) => s.id)),
    ),
  );
  // scodoc-evidence.md: the roster rows "carry `groups: [{partition_name, group_name, ...}]`".
  const roster = (s: SemRow, long: boolean, etat?: string) => {
    const groups = store.groupsByEtudid(s.id);
    return json(
      store.inscritsOf(s.id, etat).map((e) => ({
        ...(long ? store.etudLong(e) : store.etudShort(e)),
        groups: groups.get(e.id) ?? [],
      })),
    );
  };
  for (const long of ['', '/long']) {
    add('GET', `/formsemestre/<id>/etudiants${long}`, (ctx) =>
      withSem(ctx, (s) => roster(s, long !== '')),
    );
    add('GET', `/formsemestre/<id>/etudiants${long}/query`, (ctx) =>
      withSem(ctx, (s) => roster(s, long !== '', etatParam(ctx))),
    );
  }

  // ---------- partitions and groups
  // unverified: the default partition (partition_name null, every student) is not listed.
  add('GET', '/formsemestre/<id>/partitions', (ctx) =>
    withSem(ctx, (s) =>
      json(
        Object.fromEntries(
          store.partitionsOf(s.id).map((p) => [String(p.id), store.partitionJson(p)]),
        ),
      ),
    ),
  );
  const withPartition = (id: string, scope: DeptRow | undefined) => {
    const p = store.partitions.get(Number(id));
    const s = p && store.formsemestres.get(p.formsemestre_id);
    return p && s && inScope(s.dept_id, scope) ? p : undefined;
  };
  add('GET', '/partition/<id>', (ctx) => {
    const p = withPartition(ctx.params.id!, ctx.scope);
    return p ? json(store.partitionJson(p)) : error(404, 'Not Found', 'partition inconnue');
  });
  // scodoc-evidence.md: "`/group/<id>/etudiants` lists a group's students"; unverified: the rows are the
  // short form without `groups`, and `/query?etat=` filters them like the formsemestre roster.
  const groupEtudiants = (ctx: RouteContext, etat?: string) => {
    const g = store.groups.get(Number(ctx.params.id));
    if (!g || !withPartition(String(g.partition_id), ctx.scope))
      return error(404, 'Not Found', 'groupe inconnu');
    return json(store.groupEtudiants(g, etat).map((e) => store.etudShort(e)));
  };
  add('GET', '/group/<id>/etudiants', (ctx) => groupEtudiants(ctx));
  add('GET', '/group/<id>/etudiants/query', (ctx) => groupEtudiants(ctx, etatParam(ctx)));

  function withDept(ctx: RouteContext, then: (d: DeptRow) => SimResponse): SimResponse {
    const d = deptFrom(ctx);
    return d ? then(d) : error(404, 'Not Found', 'département inconnu');
  }
  return routes;
}

/**
 * scodoc-evidence.md: "every client sends **one** value (`I`, `D` or `DEF`)"; the store compares it for
 * equality, so "D,DEF" (or an empty value) matches nobody. Absent: no filter.
 */
function etatParam(ctx: RouteContext): string | undefined {
  return ctx.query.get('etat') ?? undefined;
}

function json(body: unknown, status = 200): SimResponse {
  return { status, body, contentType: 'application/json' };
}

function error(status: number, error: string, message: string): SimResponse {
  return json({ error, status, message }, status);
}

/** scodoc-evidence.md: "401 body: `{"error": "Unauthorized", "message": "Non autorise (logic)"}`". */
function unauthorized(): SimResponse {
  return json({ error: 'Unauthorized', message: 'Non autorise (logic)' }, 401);
}

/**
 * unverified (scodoc-evidence.md: "An unknown route on a real Flask server answers an **HTML** 404"): Flask's
 * default page, not ScoDoc's JSON error.
 */
const NOT_FOUND_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your ' +
  'spelling and try again.</p>\n';

function notFoundPage(): SimResponse {
  return { status: 404, contentType: 'text/html; charset=utf-8', body: NOT_FOUND_PAGE };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
