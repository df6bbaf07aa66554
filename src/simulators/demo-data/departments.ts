import type { DemoDepartment, DemoFormation, DemoParcours } from './types';

interface DeptSpec {
  acronym: string;
  name: string;
  formation: string;
  share: number;
  visible: boolean;
  hasMoodleCategory: boolean;
}

export const DEPARTMENTS: DeptSpec[] = [
  {
    acronym: 'INFO',
    name: 'Informatique',
    formation: 'Informatique',
    share: 0.33,
    visible: true,
    hasMoodleCategory: true,
  },
  {
    acronym: 'GEII',
    name: 'Génie électrique et informatique industrielle',
    formation: 'Génie électrique et informatique industrielle',
    share: 0.24,
    visible: true,
    hasMoodleCategory: true,
  },
  {
    acronym: 'RT',
    name: 'Réseaux et télécommunications',
    formation: 'Réseaux et télécommunications',
    share: 0.2,
    visible: true,
    hasMoodleCategory: true,
  },
  {
    acronym: 'MMI',
    name: "Métiers du multimédia et de l'internet",
    formation: "Métiers du multimédia et de l'internet",
    share: 0.2,
    visible: true,
    hasMoodleCategory: true,
  },
  // A small, hidden département that was never set up in Moodle.
  {
    acronym: 'CJ',
    name: 'Carrières juridiques',
    formation: 'Carrières juridiques',
    share: 0.03,
    visible: false,
    hasMoodleCategory: false,
  },
];

/**
 * A sixth, small département with a mixed-case acronym, as real sites have (scodoc-evidence.md: "Département
 * acronyms can be mixed case (`Informatique` in URLs) while `session_id` upper-cases them"). It is generated
 * after the five above, from its own random stream (see generate.ts), so that their data stays as it was.
 */
export const LATE_DEPARTMENT: DeptSpec = {
  acronym: 'Chimie',
  name: 'Chimie',
  formation: 'Chimie',
  share: 0.03,
  visible: true,
  hasMoodleCategory: true,
};

/**
 * The BUT parcours of each département (from S3 on). INFO's are the national ones; the others are plausible
 * sets, shortened for group names ("Parcours A - Réalisation d'applications").
 */
const PARCOURS: Record<string, Array<[code: string, libelle: string]>> = {
  INFO: [
    ['A', "Réalisation d'applications"],
    ['B', "Déploiement d'applications"],
    ['C', 'Administration et exploitation des données'],
    ['D', "Intégration d'applications et management du SI"],
  ],
  GEII: [
    ['AII', 'Automatisme et informatique industrielle'],
    ['EME', "Électricité et maîtrise de l'énergie"],
    ['ESE', 'Électronique et systèmes embarqués'],
  ],
  RT: [
    ['Cyber', 'Cybersécurité'],
    ['DevCloud', 'Développement système et cloud'],
    ['IOM', 'Internet des objets et mobilité'],
  ],
  MMI: [
    ['Crea', 'Création numérique'],
    ['DWeb', 'Développement web et dispositifs interactifs'],
    ['Strat', "Stratégie de communication numérique et design d'expérience"],
  ],
  CJ: [
    ['AJ', 'Administration et justice'],
    ['EA', 'Entreprise et association'],
    ['PF', 'Patrimoine et finance'],
  ],
  Chimie: [
    ['ACQ', 'Analyse, contrôle-qualité, environnement'],
    ['MPF', 'Matériaux et produits formulés'],
    ['SYN', 'Synthèse'],
  ],
};

/** Every département's parcours, numbered from 1 in département order; no random draw. */
export function buildParcours(departments: DemoDepartment[]): DemoParcours[] {
  let id = 0;
  return departments.flatMap((d) =>
    (PARCOURS[d.acronym] ?? []).map(([code, libelle]) => ({
      id: ++id,
      deptId: d.id,
      code,
      libelle,
    })),
  );
}

/** The late département and its formation, numbered after the existing ones. */
export function buildLateDepartment(
  year: number,
  existing: { departments: DemoDepartment[]; formations: DemoFormation[] },
): { department: DemoDepartment; formation: DemoFormation } {
  const d = LATE_DEPARTMENT;
  const upper = d.acronym.toUpperCase();
  const department: DemoDepartment = {
    id: Math.max(0, ...existing.departments.map((x) => x.id)) + 1,
    acronym: d.acronym,
    name: d.name,
    description: `Département ${d.name}`,
    visible: d.visible,
    dateCreation: `${year - 3}-06-15T09:00:00+02:00`,
    hasMoodleCategory: d.hasMoodleCategory,
    moodleCategoryIdnumber: upper,
  };
  const formation: DemoFormation = {
    id: Math.max(0, ...existing.formations.map((f) => f.id)) + 1,
    deptId: department.id,
    acronyme: `BUT ${d.acronym}`,
    titre: `BUT ${d.formation}`,
    titreOfficiel: `Bachelor universitaire de technologie ${d.formation}`,
    version: 1,
    typeParcours: 700,
    formationCode: `FCOD-BUT-${upper}`,
  };
  return { department, formation };
}

/** One BUT formation per département; creation dates hang off the academic year. */
export function buildDepartments(year: number): {
  departments: DemoDepartment[];
  formations: DemoFormation[];
} {
  const departments = DEPARTMENTS.map((d, i): DemoDepartment => ({
    id: i + 1,
    acronym: d.acronym,
    name: d.name,
    description: `Département ${d.name}`,
    visible: d.visible,
    dateCreation: `${year - 6}-06-1${i}T09:00:00+02:00`,
    hasMoodleCategory: d.hasMoodleCategory,
  }));
  const formations = departments.map((d, i): DemoFormation => ({
    id: 100 + i,
    deptId: d.id,
    acronyme: `BUT ${d.acronym}`,
    titre: `BUT ${DEPARTMENTS[i]!.formation}`,
    titreOfficiel: `Bachelor universitaire de technologie ${DEPARTMENTS[i]!.formation}`,
    version: 1,
    typeParcours: 700,
    formationCode: `FCOD-BUT-${d.acronym}`,
  }));
  return { departments, formations };
}
