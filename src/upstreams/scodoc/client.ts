import { z } from 'zod';
import { UpstreamError } from '../errors';
import type { ScodocConfig } from './config';
import {
  ROUTE_NOT_SUPPORTED,
  ScodocSession,
  type ScodocCall,
  type ScodocSessionOptions,
} from './session';
import {
  departementSchema,
  etudiantSchema,
  formsemestreSchema,
  partitionSchema,
  partitionsSchema,
  rosterRowSchema,
  type Partition,
  type RosterRow,
  type CreateDepartementInput,
  type CreateEtudiantInput,
  type Departement,
  type Etudiant,
  type EtudiantKey,
  type Formsemestre,
  type FormsemestresQuery,
  type RegistrationEtat,
} from './types';

/**
 * ScoDoc 9 API routes the gateway uses, typed: one method per route, French names in and out (the graph
 * maps them to English in src/domain/mapping.ts). The protocol itself is in session.ts.
 */
export class ScodocClient {
  constructor(private readonly session: ScodocSession) {}

  /** Circuit breaker state, for /ready. */
  breakerState() {
    return this.session.breakerState();
  }

  close(): Promise<void> {
    return this.session.close();
  }

  // ---------- départements

  departements(): Promise<Departement[]> {
    return this.list('/departements', `/departements`, departementSchema);
  }

  departement(acronym: string): Promise<Departement | null> {
    return this.single('/departement/<acronym>', `/departement/${seg(acronym)}`, departementSchema);
  }

  departementById(id: number): Promise<Departement | null> {
    return this.single('/departement/id/<id>', `/departement/id/${id}`, departementSchema);
  }

  createDepartement(input: CreateDepartementInput): Promise<Departement> {
    return this.request({
      method: 'POST',
      template: '/departement/create',
      path: '/departement/create',
      body: input,
      schema: departementSchema,
    });
  }

  /** ScoDoc deletes the département and everything in it. Its reply body varies by version: ignored. */
  async deleteDepartement(acronym: string): Promise<void> {
    await this.request({
      method: 'POST',
      template: '/departement/<acronym>/delete',
      path: `/departement/${seg(acronym)}/delete`,
      schema: z.unknown(),
    });
  }

  editDepartement(acronym: string, changes: { visible: boolean }): Promise<Departement> {
    return this.request({
      method: 'POST',
      template: '/departement/<acronym>/edit',
      path: `/departement/${seg(acronym)}/edit`,
      body: changes,
      schema: departementSchema,
    });
  }

  // ---------- étudiants

  /** The singular route: when a NIP/INE exists in several départements ScoDoc picks the latest registered. */
  etudiant(key: EtudiantKey): Promise<Etudiant | null> {
    const { kind, value } = keyOf(key);
    return this.single(
      `/etudiant/${kind}/<${kind}>`,
      `/etudiant/${kind}/${seg(value)}`,
      etudiantSchema,
    );
  }

  /** Every étudiant record with that key (one per département the person went through); [] when none. */
  etudiants(key: EtudiantKey): Promise<Etudiant[]> {
    const { kind, value } = keyOf(key);
    return this.list(
      `/etudiants/${kind}/<${kind}>`,
      `/etudiants/${kind}/${seg(value)}`,
      etudiantSchema,
    );
  }

  /** Every étudiant the département ever had. ScoDoc pages nothing: the reply can be thousands long. */
  departementEtudiants(acronym: string): Promise<Etudiant[]> {
    return this.list(
      '/departement/<acronym>/etudiants',
      `/departement/${seg(acronym)}/etudiants`,
      etudiantSchema,
    );
  }

  etudiantsCourants(opts: { long?: boolean } = {}): Promise<Etudiant[]> {
    const path = opts.long ? '/etudiants/courants/long' : '/etudiants/courants';
    return this.list(path, path, etudiantSchema);
  }

  createEtudiant(input: CreateEtudiantInput): Promise<Etudiant> {
    return this.request({
      method: 'POST',
      template: '/etudiant/create',
      path: '/etudiant/create',
      body: input,
      schema: etudiantSchema,
    });
  }

  // ---------- formsemestres

  formsemestre(id: number): Promise<Formsemestre | null> {
    return this.single('/formsemestre/<id>', `/formsemestre/${id}`, formsemestreSchema);
  }

  /** Conjunction of the criteria; [] when nothing matches. One call for a whole département or year. */
  formsemestresQuery(query: FormsemestresQuery): Promise<Formsemestre[]> {
    return this.list('/formsemestres/query', '/formsemestres/query', formsemestreSchema, {
      ...query,
    });
  }

  formsemestresCourants(acronym: string): Promise<Formsemestre[]> {
    return this.list(
      '/departement/<acronym>/formsemestres_courants',
      `/departement/${seg(acronym)}/formsemestres_courants`,
      formsemestreSchema,
    );
  }

  etudiantFormsemestres(key: EtudiantKey): Promise<Formsemestre[]> {
    const { kind, value } = keyOf(key);
    return this.list(
      `/etudiant/${kind}/<${kind}>/formsemestres`,
      `/etudiant/${kind}/${seg(value)}/formsemestres`,
      formsemestreSchema,
    );
  }

  /** Students of a formsemestre, optionally only those in the given states (I, D, DEF). */
  /**
   * Students of a formsemestre with their groups, optionally only those in one state. One state per call:
   * every real client sends one value, and a comma list most likely matches nobody (scodoc-evidence.md).
   */
  formsemestreEtudiants(
    id: number,
    opts: { etat?: RegistrationEtat; long?: boolean } = {},
  ): Promise<RosterRow[]> {
    const long = opts.long ? '/long' : '';
    if (!opts.etat) {
      return this.list(
        `/formsemestre/<id>/etudiants${long}`,
        `/formsemestre/${id}/etudiants${long}`,
        rosterRowSchema,
      );
    }
    return this.list(
      `/formsemestre/<id>/etudiants${long}/query`,
      `/formsemestre/${id}/etudiants${long}/query`,
      rosterRowSchema,
      { etat: opts.etat },
    );
  }

  // ---------- groups

  /** The partitions (TD, TP, parcours...) of a formsemestre, each with its groups. */
  async formsemestrePartitions(id: number): Promise<Partition[]> {
    const byId = await this.request({
      method: 'GET',
      template: '/formsemestre/<id>/partitions',
      path: `/formsemestre/${id}/partitions`,
      schema: partitionsSchema,
    });
    return Object.values(byId);
  }

  partition(id: number): Promise<Partition | null> {
    return this.single('/partition/<id>', `/partition/${id}`, partitionSchema);
  }

  /** The students of one group (short form), optionally in one state. */
  groupEtudiants(id: number, opts: { etat?: RegistrationEtat } = {}): Promise<Etudiant[]> {
    if (!opts.etat)
      return this.list('/group/<id>/etudiants', `/group/${id}/etudiants`, etudiantSchema);
    return this.list(
      '/group/<id>/etudiants/query',
      `/group/${id}/etudiants/query`,
      etudiantSchema,
      {
        etat: opts.etat,
      },
    );
  }

  // ---------- self-check

  /**
   * Whether this ScoDoc has a route, asked with an id no object has: ScoDoc's JSON 404 (or any JSON) means the
   * route exists; a 404 that is not JSON (Flask's page for an unknown URL) means it does not.
   */
  async supports(template: string, path: string): Promise<boolean> {
    try {
      await this.request({ method: 'GET', template, path, schema: z.unknown() });
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') return true;
      if (err instanceof UpstreamError && err.upstreamCode === ROUTE_NOT_SUPPORTED) return false;
      throw err;
    }
  }

  // ---------- plumbing

  private request<T>(call: ScodocCall<T>): Promise<T> {
    return this.session.request(call);
  }

  private list<T>(
    template: string,
    path: string,
    item: z.ZodType<T>,
    query?: ScodocCall<T[]>['query'],
  ): Promise<T[]> {
    return this.request({ method: 'GET', template, path, query, schema: z.array(item) });
  }

  /** Singular routes answer 404 for "no such object": that is a null, not an error. */
  private async single<T>(template: string, path: string, schema: z.ZodType<T>): Promise<T | null> {
    try {
      return await this.request({ method: 'GET', template, path, schema });
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }
}

export function createScodocClient(
  config: Pick<
    ScodocConfig,
    'url' | 'username' | 'password' | 'dept' | 'timeoutMs' | 'connections'
  >,
  opts?: ScodocSessionOptions,
): ScodocClient {
  return new ScodocClient(new ScodocSession(config, opts));
}

function keyOf(key: EtudiantKey): { kind: 'etudid' | 'nip' | 'ine'; value: string } {
  if ('etudid' in key) return { kind: 'etudid', value: String(key.etudid) };
  if ('nip' in key) return { kind: 'nip', value: key.nip };
  return { kind: 'ine', value: key.ine };
}

/** One path segment: user input never adds a segment or a query string. */
function seg(value: string): string {
  // "." and ".." are not escaped by encodeURIComponent, and URL resolution would climb with them.
  if (/^\.+$/.test(value)) return value.replaceAll('.', '%2E');
  return encodeURIComponent(value);
}
