import type { SimResponse } from '../harness';
import type { DeptRow } from './rows';

/**
 * The route table's types and its matcher: templates in Flask's notation (`/formsemestre/<id>`) under
 * `/ScoDoc/api` or `/ScoDoc/<DEPT>/api`; the first route that fits a path wins.
 */

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Set on the department-scoped API: only that département's data is visible. */
  scope: DeptRow | undefined;
}

type Handler = (ctx: RouteContext) => SimResponse;

export interface Route {
  method: 'GET' | 'POST';
  template: string;
  segments: string[];
  handler: Handler;
}

/** Appends a route to the table being built (routes.ts). */
export type AddRoute = (method: Route['method'], template: string, handler: Handler) => void;

/** `/ScoDoc/api/x` → {rest: '/x'}; `/ScoDoc/INFO/api/x` → {dept: 'INFO', rest: '/x'}. */
export function locate(path: string): { dept?: string; rest: string } | null {
  const global = /^\/ScoDoc\/api(\/.*)$/.exec(path);
  if (global) return { rest: global[1]! };
  const scoped = /^\/ScoDoc\/([^/]+)\/api(\/.*)$/.exec(path);
  return scoped ? { dept: decodeURIComponent(scoped[1]!), rest: scoped[2]! } : null;
}

const INT_PARAMS = new Set(['id', 'etudid']);

export function matchRoute(
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
