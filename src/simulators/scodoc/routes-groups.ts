import { error, json } from './replies';
import { etatParam, inScope, withSem } from './route-helpers';
import type { AddRoute, RouteContext } from './routing';
import type { DeptRow } from './rows';
import { etudShort, partitionJson } from './serializers';
import type { ScodocStore } from './store';

/** The partition and group routes: a formsemestre's partitions, one partition, a group's students. */
export function addGroupRoutes(add: AddRoute, store: ScodocStore): void {
  // unverified: the default partition (partition_name null, every student) is not listed.
  add('GET', '/formsemestre/<id>/partitions', (ctx) =>
    withSem(store, ctx, (s) =>
      json(
        Object.fromEntries(
          store.partitionsOf(s.id).map((p) => [String(p.id), partitionJson(store, p)]),
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
    return p ? json(partitionJson(store, p)) : error(404, 'Not Found', 'partition inconnue');
  });
  // scodoc-evidence.md: "`/group/<id>/etudiants` lists a group's students"; unverified: the rows are the
  // short form without `groups`, and `/query?etat=` filters them like the formsemestre roster.
  const groupEtudiants = (ctx: RouteContext, etat?: string) => {
    const g = store.groups.get(Number(ctx.params.id));
    if (!g || !withPartition(String(g.partition_id), ctx.scope))
      return error(404, 'Not Found', 'groupe inconnu');
    return json(store.groupEtudiants(g, etat).map((e) => etudShort(e)));
  };
  add('GET', '/group/<id>/etudiants', (ctx) => groupEtudiants(ctx));
  add('GET', '/group/<id>/etudiants/query', (ctx) => groupEtudiants(ctx, etatParam(ctx)));
}
