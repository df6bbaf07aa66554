import { addDepartementRoutes } from './routes-departements';
import { addEtudiantRoutes } from './routes-etudiants';
import { addFormsemestreRoutes } from './routes-formsemestres';
import { addGroupRoutes } from './routes-groups';
import type { AddRoute, Route } from './routing';
import type { ScodocStore } from './store';

/** Every route of the simulated API, family by family, in matching order (see matchRoute). */
export function buildRoutes(store: ScodocStore, nowIso: () => string): Route[] {
  const routes: Route[] = [];
  const add: AddRoute = (method, template, handler) => {
    routes.push({ method, template, segments: template.split('/').slice(1), handler });
  };
  addDepartementRoutes(add, store, nowIso);
  addEtudiantRoutes(add, store);
  addFormsemestreRoutes(add, store);
  addGroupRoutes(add, store);
  return routes;
}
