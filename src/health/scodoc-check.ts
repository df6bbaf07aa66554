import { isUpstreamError } from '../upstreams/errors';
import type { ScodocClient } from '../upstreams/scodoc/client';

/**
 * What the gateway can tell about its ScoDoc: that the account gets a token and reads départements, which of
 * the routes the graph uses this ScoDoc has (routes were renamed between versions: an unknown one answers
 * Flask's HTML 404, scodoc-evidence.md), and whether long étudiant replies hold e-mails (ScoDoc 9.6+ may
 * withhold personal data from an account without the permission, unverified). The ScoDoc API exposes no
 * version number, so none is reported.
 */
export interface ScodocCheck {
  reachable: boolean;
  /** The API form in use: global, or scoped to one département. */
  api: string;
  unsupportedRoutes: string[];
  problems: string[];
  error?: string;
  /** The account itself was refused: nothing will work until it is fixed. */
  unauthorized?: boolean;
}

/** Every route the graph and the writes read, asked with an id no object has (0) or a name none has. */
const ROUTES: Array<[template: string, path: string]> = [
  ['/departement/<acronym>', '/departement/__campus_graph_probe__'],
  ['/departement/<acronym>/etudiants', '/departement/__campus_graph_probe__/etudiants'],
  [
    '/departement/<acronym>/formsemestres_courants',
    '/departement/__campus_graph_probe__/formsemestres_courants',
  ],
  ['/etudiant/etudid/<etudid>', '/etudiant/etudid/0'],
  ['/etudiants/nip/<nip>', '/etudiants/nip/__campus_graph_probe__'],
  ['/etudiant/etudid/<etudid>/formsemestres', '/etudiant/etudid/0/formsemestres'],
  ['/formsemestre/<id>', '/formsemestre/0'],
  ['/formsemestres/query', '/formsemestres/query?dept_acronym=__campus_graph_probe__'],
  ['/formsemestre/<id>/etudiants', '/formsemestre/0/etudiants'],
  ['/formsemestre/<id>/etudiants/query', '/formsemestre/0/etudiants/query?etat=I'],
  ['/formsemestre/<id>/etudiants/long/query', '/formsemestre/0/etudiants/long/query?etat=I'],
  ['/formsemestre/<id>/partitions', '/formsemestre/0/partitions'],
  ['/partition/<id>', '/partition/0'],
  ['/group/<id>/etudiants', '/group/0/etudiants'],
];

export async function checkScodoc(
  scodoc: ScodocClient,
  scope: string | undefined,
): Promise<ScodocCheck> {
  const api = scope ? `département-scoped (${scope})` : 'global';
  let departements;
  try {
    departements = await scodoc.departements();
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const unauthorized = isUpstreamError(err) && err.code === 'UNAUTHORIZED';
    return { reachable: false, api, unsupportedRoutes: [], problems: [], error, unauthorized };
  }
  const supported = await Promise.all(
    ROUTES.map(([template, path]) => scodoc.supports(template, path)),
  );
  const unsupportedRoutes = ROUTES.filter((_, i) => !supported[i]).map(([template]) => template);
  const problems = unsupportedRoutes.map(
    (r) => `ScoDoc has no route ${r}: this ScoDoc is older or newer than the gateway expects`,
  );
  if (departements.length > 0) {
    const withheld = await personalDataWithheld(scodoc);
    if (withheld)
      problems.push(
        "ScoDoc leaves the e-mail out of long étudiant replies: the gateway's ScoDoc account lacks the permission to see personal data (ScoDoc 9.6+), so accounts cannot be created",
      );
  }
  return { reachable: true, api, unsupportedRoutes, problems };
}

/** A long roster of one current semester: rows without an `email` key mean personal data is withheld. */
async function personalDataWithheld(scodoc: ScodocClient): Promise<boolean> {
  try {
    const year = academicYear(new Date());
    const semesters = await scodoc.formsemestresQuery({ annee_scolaire: year });
    for (const semester of semesters.slice(0, 3)) {
      const rows = await scodoc.formsemestreEtudiants(semester.id, { etat: 'I', long: true });
      if (rows.length > 0) return rows.every((r) => !('email' in r));
    }
    return false;
  } catch {
    return false;
  }
}

/** The academic year a date falls in, by its first calendar year (ScoDoc's annee_scolaire). */
function academicYear(d: Date): number {
  return d.getUTCMonth() >= 7 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}
