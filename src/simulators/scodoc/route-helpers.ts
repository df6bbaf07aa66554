import type { SimResponse } from '../harness';
import { error } from './replies';
import type { RouteContext } from './routing';
import type { DeptRow, SemRow } from './rows';
import type { ScodocStore } from './store';

/** What the route families share: the département scope, the 404s of a missing object, body and query. */

export const inScope = (deptId: number, scope?: DeptRow) => !scope || scope.id === deptId;

/** The département of `<id>` or `<acronym>`, within the scope, or ScoDoc's 404. */
export function withDept(
  store: ScodocStore,
  ctx: RouteContext,
  then: (d: DeptRow) => SimResponse,
): SimResponse {
  const d =
    ctx.params.id !== undefined
      ? store.departements.get(Number(ctx.params.id))
      : store.deptByAcronym(ctx.params.acronym ?? '');
  return d && (!ctx.scope || d.id === ctx.scope.id)
    ? then(d)
    : error(404, 'Not Found', 'département inconnu');
}

/** The formsemestre of `<id>`, within the scope, or ScoDoc's 404. */
export function withSem(
  store: ScodocStore,
  ctx: RouteContext,
  then: (s: SemRow) => SimResponse,
): SimResponse {
  const s = store.formsemestres.get(Number(ctx.params.id));
  return s && inScope(s.dept_id, ctx.scope)
    ? then(s)
    : error(404, 'Not Found', 'formsemestre inconnu');
}

/**
 * scodoc-evidence.md: "every client sends **one** value (`I`, `D` or `DEF`)"; the store compares it for
 * equality, so "D,DEF" (or an empty value) matches nobody. Absent: no filter.
 */
export function etatParam(ctx: RouteContext): string | undefined {
  return ctx.query.get('etat') ?? undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
