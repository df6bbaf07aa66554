import { z } from 'zod';

/**
 * ScoDoc 9 reply shapes, as its API serializes them (Departement.to_dict, Identite.to_dict_short /
 * to_dict_api, FormSemestre.to_dict_api). Loose objects: ScoDoc versions add fields, and we only name the
 * ones the gateway reads. French names stay in this folder.
 */

const nullableString = z.string().nullable().optional();

export const departementSchema = z.looseObject({
  id: z.number().int(),
  acronym: z.string(),
  dept_name: nullableString,
  description: nullableString,
  visible: z.boolean().nullable().optional(),
  date_creation: nullableString,
});
export type Departement = z.infer<typeof departementSchema>;

/** The short form (lists) and the long form (singular routes, `/long`) share these fields. */
export const etudiantSchema = z.looseObject({
  id: z.number().int(),
  code_nip: nullableString,
  code_ine: nullableString,
  dept_id: z.number().int().nullable().optional(),
  dept_acronym: nullableString,
  civilite: nullableString,
  nom: z.string(),
  nom_usuel: nullableString,
  prenom: nullableString,
  sort_key: z.array(z.string()).optional(),
  // Long form only:
  email: nullableString,
  emailperso: nullableString,
  date_naissance: nullableString,
  lieu_naissance: nullableString,
  nationalite: nullableString,
  boursier: z.union([z.boolean(), z.string(), z.number()]).nullable().optional(),
});
export type Etudiant = z.infer<typeof etudiantSchema>;

/**
 * A student's group in a roster row (`groups` of /formsemestre/<id>/etudiants...): scodoc-evidence.md names
 * partition_name and group_name; the ids are ScoDoc's usual keys (unverified), so both spellings are taken.
 */
const rosterGroupSchema = z.looseObject({
  id: z.number().int().optional(),
  group_id: z.number().int().optional(),
  group_name: z.string().nullable(),
  partition_id: z.number().int().optional(),
  partition_name: z.string().nullable(),
});

/** A roster row: an étudiant (short or long form) with its groups in that formsemestre. */
export const rosterRowSchema = etudiantSchema.extend({
  groups: z.array(rosterGroupSchema).optional(),
});
export type RosterRow = z.infer<typeof rosterRowSchema>;

const groupSchema = z.looseObject({
  id: z.number().int(),
  partition_id: z.number().int().optional(),
  group_name: z.string().nullable(),
  numero: z.number().nullable().optional(),
});

/** A partition (TD, TP, parcours...): its groups come as a dict keyed by group id (scodoc-evidence.md). */
export const partitionSchema = z.looseObject({
  id: z.number().int(),
  formsemestre_id: z.number().int().optional(),
  partition_name: z.string().nullable(),
  numero: z.number().nullable().optional(),
  groups: z.union([z.record(z.string(), groupSchema), z.array(groupSchema)]).optional(),
});
export type Partition = z.infer<typeof partitionSchema>;

/** `/formsemestre/<id>/partitions` answers a dict keyed by partition id (scodoc-evidence.md). */
export const partitionsSchema = z.record(z.string(), partitionSchema);

export const formsemestreSchema = z.looseObject({
  id: z.number().int(),
  formsemestre_id: z.number().int().optional(),
  dept_id: z.number().int().nullable().optional(),
  departement: departementSchema.partial().nullable().optional(),
  formation_id: z.number().int().optional(),
  semestre_id: z.number().int().nullable().optional(),
  titre: z.string(),
  titre_num: nullableString,
  /** The short title ("BUT MMI"), scodoc-evidence.md. */
  titre_formation: nullableString,
  formation: z
    .looseObject({
      id: z.number().int().optional(),
      acronyme: nullableString,
      titre: nullableString,
      titre_officiel: nullableString,
    })
    .nullable()
    .optional(),
  /** BUT tracks offered (filled for BUT, scodoc-evidence.md). */
  parcours: z
    .array(
      z.looseObject({
        id: z.number().int().optional(),
        code: nullableString,
        libelle: nullableString,
      }),
    )
    .nullable()
    .optional(),
  session_id: nullableString,
  modalite: nullableString,
  annee_scolaire: z.union([z.number(), z.string()]).nullable().optional(),
  // ScoDoc writes dates twice: dd/mm/yyyy and ISO.
  date_debut: nullableString,
  date_fin: nullableString,
  date_debut_iso: nullableString,
  date_fin_iso: nullableString,
  etape_apo: nullableString,
  /** true while the semester is open (unlocked). */
  etat: z.boolean().nullable().optional(),
  responsables: z.array(z.number()).optional(),
});
export type Formsemestre = z.infer<typeof formsemestreSchema>;

export const tokenSchema = z.looseObject({ token: z.string().min(1) });

export const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  status: z.number().optional(),
  message: z.string().optional(),
});

export type RegistrationEtat = 'I' | 'D' | 'DEF';

/** An étudiant is addressed by one of its three keys. */
export type EtudiantKey = { etudid: number } | { nip: string } | { ine: string };

export interface CreateDepartementInput {
  acronym: string;
  dept_name?: string;
  description?: string;
  visible?: boolean;
}

export interface CreateEtudiantInput {
  /** Département acronym (ignored by the department-scoped API, which uses its own). */
  dept?: string;
  nom: string;
  prenom: string;
  civilite: 'M' | 'F' | 'X';
  code_nip?: string;
  code_ine?: string;
  email?: string;
  date_naissance?: string;
}

export interface FormsemestresQuery {
  annee_scolaire?: number;
  dept_acronym?: string;
  dept_id?: number;
  etape_apo?: string;
  nip?: string;
  ine?: string;
}
