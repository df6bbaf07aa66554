import type { DemoUniversity } from '../demo-data/types';
import type {
  DeptRow,
  EtudRow,
  FormationRow,
  GroupRow,
  InscriptionRow,
  ParcoursRow,
  PartitionRow,
  ScodocTables,
  SemRow,
} from './rows';
import { tablesFromUniversity } from './seed';

/**
 * The simulated ScoDoc database, built from a DemoUniversity (seed.ts): its tables, the changes the API
 * makes to them and the lookups the routes share. serializers.ts gives its records ScoDoc 9's shapes.
 */
export class ScodocStore {
  readonly departements: Map<number, DeptRow>;
  readonly etudiants: Map<number, EtudRow>;
  readonly formsemestres: Map<number, SemRow>;
  readonly formations: Map<number, FormationRow>;
  readonly parcours: Map<number, ParcoursRow>;
  readonly partitions: Map<number, PartitionRow>;
  readonly groups: Map<number, GroupRow>;
  inscriptions: InscriptionRow[];
  /**
   * unverified (scodoc-evidence.md: "Since about 9.6, personal fields ... may be withheld unless the API
   * account holds a personal-data permission"): when false, the long forms leave out the personal keys.
   */
  personalData = true;
  private nextDeptId: number;
  private nextEtudid: number;

  constructor(
    readonly today: string,
    tables: ScodocTables,
  ) {
    this.departements = tables.departements;
    this.etudiants = tables.etudiants;
    this.formsemestres = tables.formsemestres;
    this.formations = tables.formations;
    this.parcours = tables.parcours;
    this.partitions = tables.partitions;
    this.groups = tables.groups;
    this.inscriptions = tables.inscriptions;
    this.nextDeptId = Math.max(0, ...this.departements.keys()) + 1;
    this.nextEtudid = Math.max(0, ...this.etudiants.keys()) + 1;
  }

  static fromUniversity(u: DemoUniversity): ScodocStore {
    return new ScodocStore(u.today, tablesFromUniversity(u));
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
}
