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

export interface FormationRow {
  id: number;
  dept_id: number;
  acronyme: string;
  titre: string;
  titre_officiel: string;
  formation_code: string;
  version: number;
  type_parcours: number;
}

export interface ParcoursRow {
  id: number;
  dept_id: number;
  code: string;
  libelle: string;
}

export interface PartitionRow {
  id: number;
  formsemestre_id: number;
  partition_name: string;
  numero: number;
}

export interface GroupRow {
  id: number;
  partition_id: number;
  group_name: string;
  numero: number;
  /** Members' etudids, in the order they were put in the group. */
  etudids: Set<number>;
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
  readonly formations = new Map<number, FormationRow>();
  readonly parcours = new Map<number, ParcoursRow>();
  readonly partitions = new Map<number, PartitionRow>();
  readonly groups = new Map<number, GroupRow>();
  inscriptions: InscriptionRow[] = [];
  /**
   * unverified (scodoc-evidence.md: "Since about 9.6, personal fields ... may be withheld unless the API
   * account holds a personal-data permission"): when false, the long forms leave out the personal keys.
   */
  personalData = true;
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
    for (const f of u.formations) {
      store.formations.set(f.id, {
        id: f.id,
        dept_id: f.deptId,
        acronyme: f.acronyme,
        titre: f.titre,
        titre_officiel: f.titreOfficiel,
        formation_code: f.formationCode,
        version: f.version,
        type_parcours: f.typeParcours,
      });
    }
    for (const p of u.parcours)
      store.parcours.set(p.id, { id: p.id, dept_id: p.deptId, code: p.code, libelle: p.libelle });
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
    for (const p of u.partitions)
      store.partitions.set(p.id, {
        id: p.id,
        formsemestre_id: p.formsemestreId,
        partition_name: p.name,
        numero: p.numero,
      });
    for (const g of u.groups)
      store.groups.set(g.id, {
        id: g.id,
        partition_id: g.partitionId,
        group_name: g.name,
        numero: g.numero,
        etudids: new Set(),
      });
    for (const m of u.groupMembers) store.groups.get(m.groupId)?.etudids.add(m.etudid);
    store.nextDeptId = Math.max(0, ...store.departements.keys()) + 1;
    store.nextEtudid = Math.max(0, ...store.etudiants.keys()) + 1;
    return store;
  }

  /**
   * unverified: an exact, case-sensitive match, as a database lookup on the acronym would be; nothing shows
   * real ScoDoc matching `/ScoDoc/chimie/api` to "Chimie" (scodoc-evidence.md only says acronyms can be mixed
   * case, and advises clients to compare them case-insensitively).
   */
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
    for (const p of [...this.partitions.values()].filter((p) => sems.has(p.formsemestre_id))) {
      for (const g of this.groupsOf(p.id)) this.groups.delete(g.id);
      this.partitions.delete(p.id);
    }
    for (const f of [...this.formations.values()].filter((f) => f.dept_id === dept.id))
      this.formations.delete(f.id);
    for (const c of [...this.parcours.values()].filter((c) => c.dept_id === dept.id))
      this.parcours.delete(c.id);
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

  /**
   * The étudiants registered in a formsemestre, in registration order. `etat`, when given, is compared for
   * equality (scodoc-evidence.md: "if ScoDoc compares for equality, `etat=D,DEF` matches nobody"): "D,DEF",
   * or anything but I, D and DEF, matches nobody.
   */
  inscritsOf(semId: number, etat?: string): EtudRow[] {
    return this.inscriptions
      .filter((i) => i.formsemestre_id === semId && (etat === undefined || i.etat === etat))
      .map((i) => this.etudiants.get(i.etudid))
      .filter((e): e is EtudRow => e !== undefined);
  }

  /** A formsemestre's partitions in display order (the default partition is not stored: see partitionJson). */
  partitionsOf(semId: number): PartitionRow[] {
    return [...this.partitions.values()]
      .filter((p) => p.formsemestre_id === semId)
      .sort((a, b) => a.numero - b.numero || a.id - b.id);
  }

  groupsOf(partitionId: number): GroupRow[] {
    return [...this.groups.values()]
      .filter((g) => g.partition_id === partitionId)
      .sort((a, b) => a.numero - b.numero || a.id - b.id);
  }

  /** The group's members, in the order of its formsemestre's roster, filtered like inscritsOf. */
  groupEtudiants(g: GroupRow, etat?: string): EtudRow[] {
    const p = this.partitions.get(g.partition_id);
    return p ? this.inscritsOf(p.formsemestre_id, etat).filter((e) => g.etudids.has(e.id)) : [];
  }

  /** etudid → its groups in that formsemestre, partition by partition, for the roster rows. */
  groupsByEtudid(semId: number): Map<number, ReturnType<ScodocStore['etudGroupJson']>[]> {
    const out = new Map<number, ReturnType<ScodocStore['etudGroupJson']>[]>();
    for (const p of this.partitionsOf(semId))
      for (const g of this.groupsOf(p.id))
        for (const etudid of g.etudids)
          out.set(etudid, [...(out.get(etudid) ?? []), this.etudGroupJson(p, g)]);
    return out;
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
    // unverified (scodoc-evidence.md: personal fields "may be withheld unless the API account holds a
    // personal-data permission"): without it the keys are absent, not null, here and in the address.
    const personal = this.personalData;
    return {
      ...this.etudShort(e),
      etudid: e.id,
      dept_acronym: dept?.acronym ?? null,
      ...(personal
        ? {
            email: e.email,
            emailperso: e.emailperso,
            date_naissance: e.date_naissance,
            lieu_naissance: e.lieu_naissance,
          }
        : {}),
      nationalite: e.nationalite,
      boursier: e.boursier,
      photo_filename: null,
      scodoc7_id: null,
      adresses: [
        {
          ...(personal ? { email: e.email, emailperso: e.emailperso } : {}),
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

  /**
   * scodoc-evidence.md: "Rows of `/formsemestre/<id>/etudiants[/long][/query]` carry `groups:
   * [{partition_name, group_name, ...}]`"; unverified: the other fields (id, group_id, partition_id, numero).
   */
  etudGroupJson(p: PartitionRow, g: GroupRow) {
    return {
      id: g.id,
      group_id: g.id,
      group_name: g.group_name,
      partition_id: p.id,
      partition_name: p.partition_name,
      numero: g.numero,
    };
  }

  /**
   * scodoc-evidence.md: "`/formsemestre/<id>/partitions` answers a dict keyed by partition id: `{"<pid>":
   * {partition_name, groups: {"<gid>": {group_name}}}}`; `/partition/<id>` holds its groups". unverified: the
   * other fields (numero, bul_show_rank, show_in_lists, groups_editable, the groups' id/partition_id/numero).
   */
  partitionJson(p: PartitionRow) {
    return {
      id: p.id,
      formsemestre_id: p.formsemestre_id,
      partition_name: p.partition_name,
      numero: p.numero,
      bul_show_rank: false,
      show_in_lists: true,
      groups_editable: true,
      groups: Object.fromEntries(
        this.groupsOf(p.id).map((g) => [
          String(g.id),
          { id: g.id, partition_id: g.partition_id, group_name: g.group_name, numero: g.numero },
        ]),
      ),
    };
  }

  formationJson(f: FormationRow) {
    return {
      id: f.id,
      acronyme: f.acronyme,
      titre: f.titre,
      titre_officiel: f.titre_officiel,
      formation_code: f.formation_code,
      version: f.version,
      dept_id: f.dept_id,
    };
  }

  semJson(s: SemRow) {
    const dept = this.departements.get(s.dept_id);
    const formation = this.formations.get(s.formation_id);
    const but = formation?.type_parcours === BUT_TYPE_PARCOURS;
    return {
      id: s.id,
      formsemestre_id: s.id,
      dept_id: s.dept_id,
      departement: dept ? this.deptJson(dept) : null,
      formation_id: s.formation_id,
      // scodoc-evidence.md: "Formsemestres carry a nested `formation {id, acronyme, titre, ...}`".
      formation: formation ? this.formationJson(formation) : null,
      semestre_id: s.semestre_id,
      titre: s.titre,
      titre_num: s.titre_num,
      // scodoc-evidence.md: "`titre_formation` is the *short* title ("BUT MMI")".
      titre_formation: formation?.acronyme ?? s.titre,
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
      // scodoc-evidence.md: "`parcours [{code, libelle, ...}]` is filled for BUT"; unverified: from S3 on
      // (the BUT parcours start in the 2nd year), and `id` beside code and libelle.
      parcours:
        but && s.semestre_id >= 3
          ? [...this.parcours.values()]
              .filter((c) => c.dept_id === s.dept_id)
              .map((c) => ({ id: c.id, code: c.code, libelle: c.libelle }))
          : [],
      scodoc7_id: null,
    };
  }
}

/** ScoDoc's formation type code for the BUT (CodesParcours / type_parcours 700). */
const BUT_TYPE_PARCOURS = 700;

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
