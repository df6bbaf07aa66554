import { error, json } from './replies';
import { str, withDept } from './route-helpers';
import type { AddRoute } from './routing';
import type { DeptRow } from './rows';
import { deptJson } from './serializers';
import type { ScodocStore } from './store';

/** The département routes: listing, reading, and the create / edit / delete of the admin API. */
export function addDepartementRoutes(
  add: AddRoute,
  store: ScodocStore,
  nowIso: () => string,
): void {
  const visibleDepts = (scope?: DeptRow) =>
    [...store.departements.values()].filter((d) => !scope || d.id === scope.id);

  add('GET', '/departements', (ctx) => json(visibleDepts(ctx.scope).map((d) => deptJson(d))));
  add('GET', '/departements_ids', (ctx) => json(visibleDepts(ctx.scope).map((d) => d.id)));
  add('GET', '/departement/id/<id>', (ctx) => withDept(store, ctx, (d) => json(deptJson(d))));
  add('GET', '/departement/<acronym>', (ctx) => withDept(store, ctx, (d) => json(deptJson(d))));
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
    return json(deptJson(row));
  });
  add('POST', '/departement/<acronym>/edit', (ctx) =>
    withDept(store, ctx, (d) => {
      const visible = (ctx.body as { visible?: unknown } | undefined)?.visible;
      if (typeof visible !== 'boolean')
        return error(400, 'Bad Request', 'visible doit être un booléen');
      d.visible = visible;
      return json(deptJson(d));
    }),
  );
  add('POST', '/departement/<acronym>/delete', (ctx) =>
    withDept(store, ctx, (d) => {
      store.deleteDept(d);
      return json({ OK: true });
    }),
  );
}
