import type { DemoUniversity, RegistrationState } from '../demo-data/types';

/**
 * The simulated ScoDoc database, built from a DemoUniversity, and the serializers that give its records the
 * shapes ScoDoc 9's API sends (Departement.to_dict, Identite.to_dict_short / to_dict_api,
 * FormSemestre.to_dict_api).
 */

export interface DeptRow {
  id: number;
  acronym: string;
  dept_name: string;
  description: string;
  visible: boolean;
  date_creation: string;
}

export interface EtudRow {
  id: number;
  dept_id: number;
  code_nip: string | null;
  code_ine: string | null;
  civilite: string;
  nom: string;
  nom_usuel: string | null;
  prenom: string;
  email: string | null;
  emailperso: string | null;
  date_naissance: string | null;
  lieu_naissance: string | null;
  nationalite: string | null;
  boursier: boolean;
}

export interface SemRow {
  id: number;
  dept_id: number;
  formation_id: number;
  semestre_id: number;
  titre: string;
  titre_num: string;
  session_id: string;
  modalite: string;
  annee_scolaire: number;
  date_debut_iso: string;
  date_fin_iso: string;
  etape_apo: string;
  etat: boolean;
  responsables: number[];
}

export interface InscriptionRow {
  etudid: number;
  formsemestre_id: number;
  etat: RegistrationState;
  /** Insertion order: "the most recently registered" record wins on singular NIP routes. */
  seq: number;
}

export class ScodocStore {
  readonly departements = new Map<number, DeptRow>();
  readonly etudiants = new Map<number, EtudRow>();
  readonly formsemestres = new Map<number, SemRow>();
  inscriptions: InscriptionRow[] = [];
  private nextDeptId = 1;
  private nextEtudid = 1;
  private seq = 0;

  constructor(readonly today: string) {}

  static fromUniversity(u: DemoUniversity): ScodocStore {
    const store = new ScodocStore(u.today);
    for (const d of u.departments) {
      store.departements.set(d.id, {
        id: d.id,
        acronym: d.acronym,
        dept_name: d.name,
        description: d.description,
        visible: d.visible,
        date_creation: d.dateCreation,
      });
    }
    for (const s of u.semesters) {
      store.formsemestres.set(s.id, {
        id: s.id,
        dept_id: s.deptId,
        formation_id: s.formationId,
        semestre_id: s.semestreId,
        titre: s.titre,
        titre_num: s.titreNum,
        session_id: s.sessionId,
        modalite: s.modalite,
        annee_scolaire: s.anneeScolaire,
        date_debut_iso: s.dateDebut,
        date_fin_iso: s.dateFin,
        etape_apo: s.etapeApo,
        etat: s.etat,
        responsables: s.responsables,
      });
    }
    for (const e of u.students) {
      store.etudiants.set(e.etudid, {
        id: e.etudid,
        dept_id: e.deptId,
        code_nip: e.nip,
        code_ine: e.ine,
        civilite: e.civilite,
        nom: e.nom,
        nom_usuel: e.nomUsuel,
        prenom: e.prenom,
        email: e.email,
        emailperso: e.emailPerso,
        date_naissance: e.dateNaissance,
        lieu_naissance: e.lieuNaissance,
        nationalite: e.nationalite,
        boursier: e.boursier,
      });
    }
    for (const r of u.registrations)
      store.inscriptions.push({
        etudid: r.etudid,
        formsemestre_id: r.formsemestreId,
        etat: r.etat,
        seq: store.seq++,
      });
    store.nextDeptId = Math.max(0, ...store.departements.keys()) + 1;
    store.nextEtudid = Math.max(0, ...store.etudiants.keys()) + 1;
    return store;
  }

  deptByAcronym(acronym: string): DeptRow | undefined {
    for (const d of this.departements.values()) if (d.acronym === acronym) return d;
    return undefined;
  }

  createDept(
    input: { acronym: string; dept_name?: string; description?: string; visible?: boolean },
    nowIso: string,
  ): DeptRow {
    const row: DeptRow = {
      id: this.nextDeptId++,
      acronym: input.acronym,
      dept_name: input.dept_name ?? input.acronym,
      description: input.description ?? '',
      visible: input.visible ?? true,
      date_creation: nowIso,
    };
    this.departements.set(row.id, row);
    return row;
  }

  /** ScoDoc deletes everything in the département. */
  deleteDept(dept: DeptRow): void {
    const etudids = new Set(
      [...this.etudiants.values()].filter((e) => e.dept_id === dept.id).map((e) => e.id),
    );
    const sems = new Set(
      [...this.formsemestres.values()].filter((s) => s.dept_id === dept.id).map((s) => s.id),
    );
    for (const id of etudids) this.etudiants.delete(id);
    for (const id of sems) this.formsemestres.delete(id);
    this.inscriptions = this.inscriptions.filter(
      (i) => !etudids.has(i.etudid) && !sems.has(i.formsemestre_id),
    );
    this.departements.delete(dept.id);
  }

  createEtudiant(input: Omit<EtudRow, 'id'>): EtudRow {
    const row: EtudRow = { ...input, id: this.nextEtudid++ };
    this.etudiants.set(row.id, row);
    return row;
  }

  etudiantsBy(kind: 'etudid' | 'nip' | 'ine', value: string, deptId?: number): EtudRow[] {
    const out: EtudRow[] = [];
    for (const e of this.etudiants.values()) {
      if (deptId !== undefined && e.dept_id !== deptId) continue;
      const v = kind === 'etudid' ? String(e.id) : kind === 'nip' ? e.code_nip : e.code_ine;
      if (v === value) out.push(e);
    }
    return out;
  }

  /** ScoDoc's singular étudiant route: among records sharing a code, the most recently registered. */
  latestRegistered(records: EtudRow[]): EtudRow | undefined {
    const lastSeq = (e: EtudRow) =>
      Math.max(-1, ...this.inscriptions.filter((i) => i.etudid === e.id).map((i) => i.seq));
    return [...records].sort((a, b) => lastSeq(b) - lastSeq(a) || b.id - a.id)[0];
  }

  isCurrent(s: SemRow, today = this.today): boolean {
    return s.date_debut_iso <= today && today <= s.date_fin_iso;
  }

  semestersOf(etudid: number): SemRow[] {
    const ids = new Set(
      this.inscriptions.filter((i) => i.etudid === etudid).map((i) => i.formsemestre_id),
    );
    return [...this.formsemestres.values()]
      .filter((s) => ids.has(s.id))
      .sort((a, b) => a.date_debut_iso.localeCompare(b.date_debut_iso));
  }

  inscritsOf(semId: number, etats?: string[]): EtudRow[] {
    return this.inscriptions
      .filter((i) => i.formsemestre_id === semId && (!etats || etats.includes(i.etat)))
      .map((i) => this.etudiants.get(i.etudid))
      .filter((e): e is EtudRow => e !== undefined);
  }

  // ---------- serializers: the shapes ScoDoc 9's API sends

  deptJson(d: DeptRow) {
    return {
      id: d.id,
      acronym: d.acronym,
      dept_name: d.dept_name,
      description: d.description,
      visible: d.visible,
      date_creation: d.date_creation,
    };
  }

  etudShort(e: EtudRow) {
    return {
      id: e.id,
      civilite: e.civilite,
      code_nip: e.code_nip,
      code_ine: e.code_ine,
      dept_id: e.dept_id,
      nom: e.nom,
      nom_usuel: e.nom_usuel ?? '',
      prenom: e.prenom,
      sort_key: [ascii(e.nom), ascii(e.prenom)],
    };
  }

  etudLong(e: EtudRow) {
    const dept = this.departements.get(e.dept_id);
    return {
      ...this.etudShort(e),
      etudid: e.id,
      dept_acronym: dept?.acronym ?? null,
      email: e.email,
      emailperso: e.emailperso,
      date_naissance: e.date_naissance,
      lieu_naissance: e.lieu_naissance,
      nationalite: e.nationalite,
      boursier: e.boursier,
      photo_filename: null,
      scodoc7_id: null,
      adresses: [
        {
          email: e.email,
          emailperso: e.emailperso,
          domicile: null,
          codepostaldomicile: null,
          villedomicile: null,
          paysdomicile: null,
          telephone: null,
          telephonemobile: null,
        },
      ],
      admission: { annee: null, bac: null, specialite: null },
    };
  }

  semJson(s: SemRow) {
    const dept = this.departements.get(s.dept_id);
    return {
      id: s.id,
      formsemestre_id: s.id,
      dept_id: s.dept_id,
      departement: dept ? this.deptJson(dept) : null,
      formation_id: s.formation_id,
      semestre_id: s.semestre_id,
      titre: s.titre,
      titre_num: s.titre_num,
      titre_formation: s.titre,
      session_id: s.session_id,
      modalite: s.modalite,
      annee_scolaire: s.annee_scolaire,
      date_debut: frenchDate(s.date_debut_iso),
      date_fin: frenchDate(s.date_fin_iso),
      date_debut_iso: s.date_debut_iso,
      date_fin_iso: s.date_fin_iso,
      etape_apo: s.etape_apo,
      elt_annee_apo: null,
      elt_sem_apo: null,
      etat: s.etat,
      block_moyennes: false,
      bul_bgcolor: 'white',
      bul_hide_xml: false,
      ens_can_edit_eval: false,
      gestion_compensation: false,
      gestion_semestrielle: false,
      resp_can_change_ens: true,
      resp_can_edit: false,
      responsables: s.responsables,
      parcours: [],
      scodoc7_id: null,
    };
  }
}

function frenchDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
