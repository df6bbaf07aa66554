import type { DemoUniversity } from '../demo-data/types';
import type { ScodocTables } from './rows';

/** The ScoDoc tables of a DemoUniversity: its records renamed to ScoDoc's column names. */
export function tablesFromUniversity(u: DemoUniversity): ScodocTables {
  const t: ScodocTables = {
    departements: new Map(),
    etudiants: new Map(),
    formsemestres: new Map(),
    formations: new Map(),
    parcours: new Map(),
    partitions: new Map(),
    groups: new Map(),
    inscriptions: [],
  };
  for (const d of u.departments) {
    t.departements.set(d.id, {
      id: d.id,
      acronym: d.acronym,
      dept_name: d.name,
      description: d.description,
      visible: d.visible,
      date_creation: d.dateCreation,
    });
  }
  for (const f of u.formations) {
    t.formations.set(f.id, {
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
    t.parcours.set(p.id, { id: p.id, dept_id: p.deptId, code: p.code, libelle: p.libelle });
  for (const s of u.semesters) {
    t.formsemestres.set(s.id, {
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
    t.etudiants.set(e.etudid, {
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
    t.inscriptions.push({
      etudid: r.etudid,
      formsemestre_id: r.formsemestreId,
      etat: r.etat,
      seq: t.inscriptions.length,
    });
  for (const p of u.partitions)
    t.partitions.set(p.id, {
      id: p.id,
      formsemestre_id: p.formsemestreId,
      partition_name: p.name,
      numero: p.numero,
    });
  for (const g of u.groups)
    t.groups.set(g.id, {
      id: g.id,
      partition_id: g.partitionId,
      group_name: g.name,
      numero: g.numero,
      etudids: new Set(),
    });
  for (const m of u.groupMembers) t.groups.get(m.groupId)?.etudids.add(m.etudid);
  return t;
}
