import type { DemoDepartment, DemoFormation } from './types';

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
