import { json } from './replies';
import { etatParam, inScope, withDept, withSem } from './route-helpers';
import type { AddRoute } from './routing';
import type { SemRow } from './rows';
import { etudLong, etudShort, groupsByEtudid, semJson } from './serializers';
import type { ScodocStore } from './store';

/** The formsemestre routes: one, the query, a département's current ones and ids, and the rosters. */
export function addFormsemestreRoutes(add: AddRoute, store: ScodocStore): void {
  add('GET', '/formsemestre/<id>', (ctx) => withSem(store, ctx, (s) => json(semJson(store, s))));
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
    return json(sems.map((s) => semJson(store, s)));
  });
  add('GET', '/departement/<acronym>/formsemestres_courants', (ctx) =>
    withDept(store, ctx, (d) =>
      json(
        [...store.formsemestres.values()]
          .filter((s) => s.dept_id === d.id && store.isCurrent(s))
          .map((s) => semJson(store, s)),
      ),
    ),
  );
  add('GET', '/departement/<acronym>/formsemestres_ids', (ctx) =>
    withDept(store, ctx, (d) =>
      json([...store.formsemestres.values()].filter((s) => s.dept_id === d.id).map((s) => s.id)),
    ),
  );
  // scodoc-evidence.md: the roster rows "carry `groups: [{partition_name, group_name, ...}]`".
  const roster = (s: SemRow, long: boolean, etat?: string) => {
    const groups = groupsByEtudid(store, s.id);
    return json(
      store.inscritsOf(s.id, etat).map((e) => ({
        ...(long ? etudLong(store, e) : etudShort(e)),
        groups: groups.get(e.id) ?? [],
      })),
    );
  };
  for (const long of ['', '/long']) {
    add('GET', `/formsemestre/<id>/etudiants${long}`, (ctx) =>
      withSem(store, ctx, (s) => roster(s, long !== '')),
    );
    add('GET', `/formsemestre/<id>/etudiants${long}/query`, (ctx) =>
      withSem(store, ctx, (s) => roster(s, long !== '', etatParam(ctx))),
    );
  }
}
