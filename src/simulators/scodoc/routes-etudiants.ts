import { error, json } from './replies';
import { inScope, str, withDept } from './route-helpers';
import type { AddRoute, RouteContext } from './routing';
import { etudLong, etudShort, semJson } from './serializers';
import type { ScodocStore } from './store';

/** The étudiant routes: by département, by etudid / NIP / INE, the current ones, and creation. */
export function addEtudiantRoutes(add: AddRoute, store: ScodocStore): void {
  for (const list of ['/departement/<acronym>/etudiants', '/departement/id/<id>/etudiants']) {
    add('GET', list, (ctx) =>
      withDept(store, ctx, (d) =>
        json(
          [...store.etudiants.values()].filter((e) => e.dept_id === d.id).map((e) => etudShort(e)),
        ),
      ),
    );
  }
  for (const kind of ['etudid', 'nip', 'ine'] as const) {
    add('GET', `/etudiant/${kind}/<${kind}>`, (ctx) => {
      const found = store.latestRegistered(
        store.etudiantsBy(kind, ctx.params[kind]!, ctx.scope?.id),
      );
      return found ? json(etudLong(store, found)) : error(404, 'Not Found', 'étudiant inconnu');
    });
    add('GET', `/etudiants/${kind}/<${kind}>`, (ctx) =>
      json(
        store.etudiantsBy(kind, ctx.params[kind]!, ctx.scope?.id).map((e) => etudLong(store, e)),
      ),
    );
    add('GET', `/etudiant/${kind}/<${kind}>/formsemestres`, (ctx) => {
      const found = store.latestRegistered(
        store.etudiantsBy(kind, ctx.params[kind]!, ctx.scope?.id),
      );
      return found
        ? json(store.semestersOf(found.id).map((s) => semJson(store, s)))
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
    return json(etuds.map((e) => (long ? etudLong(store, e) : etudShort(e))));
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
    return json(etudLong(store, row));
  });
}
