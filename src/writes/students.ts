import { z } from 'zod';
import { ConflictError, NotFoundError } from '../domain/errors';
import { listKeys } from '../domain/list-cache';
import { toStudent } from '../domain/mapping';
import type { StudentModel } from '../domain/models';
import { nipInput, parseInput, text } from '../domain/validate';
import type { Trail, WriteDeps } from '../provisioning/context';
import { departmentOf } from '../provisioning/records';

const createStudentInput = z.object({
  department: text.trim().min(1),
  lastName: text.trim().min(1).max(100),
  firstName: text.trim().min(1).max(100),
  civility: z.enum(['M', 'F', 'X']),
  nip: nipInput.nullish(),
  ine: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,20}$/, '1 to 20 letters or digits')
    .nullish(),
  email: z.email().nullish(),
  birthDate: z.iso.date().nullish(),
});

/** ScoDoc etudiant/create. NIP and INE are unique within a département (ScoDoc's rule), checked first. */
export async function createStudent(
  deps: WriteDeps,
  trail: Trail,
  raw: unknown,
): Promise<StudentModel> {
  const input = parseInput(createStudentInput, raw);
  const dept = await departmentOf(deps, input.department);
  if (!dept)
    throw new NotFoundError(`ScoDoc has no département ${input.department}.`, 'department');
  for (const [key, value] of [
    ['nip', input.nip],
    ['ine', input.ine],
  ] as const) {
    if (!value) continue;
    const existing = (
      await deps.scodoc.etudiants(key === 'nip' ? { nip: value } : { ine: value })
    ).filter((e) => e.dept_id === dept.id);
    if (existing.length > 0)
      throw new ConflictError(
        `Département ${dept.acronym} already has a student with ${key.toUpperCase()} ${value} (etudid ${existing[0]!.id}).`,
      );
  }
  const created = await deps.scodoc.createEtudiant({
    dept: dept.acronym,
    nom: input.lastName,
    prenom: input.firstName,
    civilite: input.civility,
    code_nip: input.nip ?? undefined,
    code_ine: input.ine ?? undefined,
    email: input.email ?? undefined,
    date_naissance: input.birthDate ?? undefined,
  });
  trail.touch('scodoc', 'etudiant', created.id);
  deps.lists.invalidate(listKeys.departmentStudents(dept.acronym));
  return toStudent({ ...created, dept_acronym: created.dept_acronym ?? dept.acronym });
}
