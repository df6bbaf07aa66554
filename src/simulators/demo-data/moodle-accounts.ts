import { ascii } from '../../domain/text';
import type { PeopleFactory } from './people';
import type { DemoDepartment, DemoMoodleOnlyUser } from './types';

/** Moodle accounts that are no student's: teachers of the départements in Moodle, and stray accounts. */

const STAFF_DOMAIN = 'univ-demo.fr';

export interface DemoTeacher {
  deptId: number;
  user: DemoMoodleOnlyUser;
}

export function buildTeachers(departments: DemoDepartment[], people: PeopleFactory) {
  const teachers: DemoTeacher[] = [];
  for (const dept of departments.filter((d) => d.hasMoodleCategory)) {
    for (let i = 0; i < 4; i += 1) {
      const { prenom, nom } = people.person();
      teachers.push({
        deptId: dept.id,
        user: {
          username:
            `${ascii(prenom)}.${ascii(nom)}`.slice(0, 90) +
            (i === 0 ? '' : `.${dept.acronym.toLowerCase()}${i}`),
          firstname: prenom,
          lastname: nom,
          email: people.email(prenom, nom, STAFF_DOMAIN),
          idnumber: `ENS-${dept.acronym}-${i + 1}`,
          auth: 'cas',
          suspended: false,
          isSiteAdmin: false,
        },
      });
    }
  }
  return teachers;
}

/** Accounts that belong to no ScoDoc student: the gateway must show them as unlinked, never guess. */
export function strayAccounts(people: PeopleFactory): DemoMoodleOnlyUser[] {
  const stray = (
    username: string,
    prenom: string,
    nom: string,
    idnumber: string | null,
    extra: Partial<DemoMoodleOnlyUser> = {},
  ): DemoMoodleOnlyUser => ({
    username,
    firstname: prenom,
    lastname: nom,
    email: people.email(prenom, nom, extra.isSiteAdmin ? STAFF_DOMAIN : 'example.org'),
    idnumber,
    auth: 'manual',
    suspended: false,
    isSiteAdmin: false,
    ...extra,
  });
  return [
    stray('ancien.etudiant', 'Kevin', 'Ancien', '19000001'),
    stray('jury.externe', 'Claire', 'Examinatrice', null),
    stray('moodle.admin2', 'Service', 'Numérique', null, { isSiteAdmin: true }),
    stray('stagiaire.entreprise', 'Marc', 'Tuteur', 'EXT-0042', { suspended: true }),
  ];
}
