import type { DeptRow, EtudRow, FormationRow, GroupRow, PartitionRow, SemRow } from './rows';
import type { ScodocStore } from './store';

/**
 * The serializers that give the store's records the shapes ScoDoc 9's API sends (Departement.to_dict,
 * Identite.to_dict_short / to_dict_api, FormSemestre.to_dict_api).
 */

export function deptJson(d: DeptRow) {
  return {
    id: d.id,
    acronym: d.acronym,
    dept_name: d.dept_name,
    description: d.description,
    visible: d.visible,
    date_creation: d.date_creation,
  };
}

export function etudShort(e: EtudRow) {
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

export function etudLong(store: ScodocStore, e: EtudRow) {
  const dept = store.departements.get(e.dept_id);
  // unverified (scodoc-evidence.md: personal fields "may be withheld unless the API account holds a
  // personal-data permission"): without it the keys are absent, not null, here and in the address.
  const personal = store.personalData;
  return {
    ...etudShort(e),
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
function etudGroupJson(p: PartitionRow, g: GroupRow) {
  return {
    id: g.id,
    group_id: g.id,
    group_name: g.group_name,
    partition_id: p.id,
    partition_name: p.partition_name,
    numero: g.numero,
  };
}

/** etudid → its groups in that formsemestre, partition by partition, for the roster rows. */
export function groupsByEtudid(
  store: ScodocStore,
  semId: number,
): Map<number, ReturnType<typeof etudGroupJson>[]> {
  const out = new Map<number, ReturnType<typeof etudGroupJson>[]>();
  for (const p of store.partitionsOf(semId))
    for (const g of store.groupsOf(p.id))
      for (const etudid of g.etudids)
        out.set(etudid, [...(out.get(etudid) ?? []), etudGroupJson(p, g)]);
  return out;
}

/**
 * scodoc-evidence.md: "`/formsemestre/<id>/partitions` answers a dict keyed by partition id: `{"<pid>":
 * {partition_name, groups: {"<gid>": {group_name}}}}`; `/partition/<id>` holds its groups". unverified: the
 * other fields (numero, bul_show_rank, show_in_lists, groups_editable, the groups' id/partition_id/numero).
 */
export function partitionJson(store: ScodocStore, p: PartitionRow) {
  return {
    id: p.id,
    formsemestre_id: p.formsemestre_id,
    partition_name: p.partition_name,
    numero: p.numero,
    bul_show_rank: false,
    show_in_lists: true,
    groups_editable: true,
    groups: Object.fromEntries(
      store
        .groupsOf(p.id)
        .map((g) => [
          String(g.id),
          { id: g.id, partition_id: g.partition_id, group_name: g.group_name, numero: g.numero },
        ]),
    ),
  };
}

function formationJson(f: FormationRow) {
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

export function semJson(store: ScodocStore, s: SemRow) {
  const dept = store.departements.get(s.dept_id);
  const formation = store.formations.get(s.formation_id);
  const but = formation?.type_parcours === BUT_TYPE_PARCOURS;
  return {
    id: s.id,
    formsemestre_id: s.id,
    dept_id: s.dept_id,
    departement: dept ? deptJson(dept) : null,
    formation_id: s.formation_id,
    // scodoc-evidence.md: "Formsemestres carry a nested `formation {id, acronyme, titre, ...}`".
    formation: formation ? formationJson(formation) : null,
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
        ? [...store.parcours.values()]
            .filter((c) => c.dept_id === s.dept_id)
            .map((c) => ({ id: c.id, code: c.code, libelle: c.libelle }))
        : [],
    scodoc7_id: null,
  };
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
