import type { RegistrationState } from '../demo-data/types';

/** The records of the simulated ScoDoc database, one interface per table (store.ts holds them). */

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

/** Every table, as the store starts with them. */
export interface ScodocTables {
  departements: Map<number, DeptRow>;
  etudiants: Map<number, EtudRow>;
  formsemestres: Map<number, SemRow>;
  formations: Map<number, FormationRow>;
  parcours: Map<number, ParcoursRow>;
  partitions: Map<number, PartitionRow>;
  groups: Map<number, GroupRow>;
  inscriptions: InscriptionRow[];
}
