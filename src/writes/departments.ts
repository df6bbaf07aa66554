import { z } from 'zod';
import { ConflictError, NotFoundError, PartialFailureError } from '../domain/errors';
import { listKeys } from '../domain/list-cache';
import { toDepartment } from '../domain/mapping';
import type { CategoryModel, DepartmentModel } from '../domain/models';
import { parseInput, text } from '../domain/validate';
import { compensate, type Trail, type WriteDeps } from '../provisioning/context';
import { categoryOf, departmentOf } from '../provisioning/records';
import { UpstreamError } from '../upstreams/errors';

const createDepartmentInput = z.object({
  acronym: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,20}$/, 'letters, digits, _ and - only, at most 20'),
  name: text.trim().min(1).max(200).nullish(),
  description: text.max(2000).nullish(),
  visible: z.boolean().nullish(),
});

/**
 * A ScoDoc département and its Moodle category (idnumber = acronym), together. ScoDoc is written first (it
 * is the source of truth); if the category cannot be made, the département is deleted again. When that undo
 * fails too, the result says exactly what exists where.
 */
export async function createDepartment(
  deps: WriteDeps,
  trail: Trail,
  raw: unknown,
): Promise<{ department: DepartmentModel; category: CategoryModel }> {
  const input = parseInput(createDepartmentInput, raw);
  const name = input.name ?? input.acronym;
  await refuseExisting(deps, input.acronym);

  const created = toDepartment(
    await deps.scodoc.createDepartement({
      acronym: input.acronym,
      dept_name: name,
      description: input.description ?? undefined,
      visible: input.visible ?? true,
    }),
  );
  trail.touch('scodoc', 'departement', input.acronym);
  deps.lists.invalidate(listKeys.departments);
  try {
    const [cat] = await deps.moodle.createCategories([
      { name, idnumber: input.acronym, description: input.description ?? undefined, parent: 0 },
    ]);
    trail.touch('moodle', 'category', cat!.id);
    deps.lists.invalidate(listKeys.everyMoodleList);
    return {
      department: created,
      category: { id: cat!.id, name, idnumber: input.acronym, parent: 0, courseCount: 0 },
    };
  } catch (err) {
    // Any failure after the ScoDoc write is undone, not only an upstream refusal: a bug or a value the
    // Moodle encoder cannot send must not leave a département without its category.
    const undone = await compensate(deps.log, `delete ScoDoc département ${input.acronym}`, () =>
      deps.scodoc.deleteDepartement(input.acronym),
    );
    deps.lists.invalidate(listKeys.departments);
    if (!undone) {
      throw new PartialFailureError(
        `The Moodle category could not be created (${safeMessage(err)}) and the ScoDoc département ${input.acronym} could not be deleted again.`,
        [`ScoDoc département ${input.acronym} exists`],
        [],
        [`Moodle category with idnumber ${input.acronym}`],
      );
    }
    trail.touch('scodoc', 'departement-deleted', input.acronym);
    // Unexpected failures stay unexpected (masked, logged in full); the state is clean either way.
    if (!(err instanceof UpstreamError)) throw err;
    throw withNote(
      err,
      `nothing was changed: the ScoDoc département ${input.acronym} was created, then deleted again`,
    );
  }
}

async function refuseExisting(deps: WriteDeps, acronym: string) {
  const [dept, categories] = await Promise.all([
    departmentOf(deps, acronym),
    deps.moodle.getCategories({ idnumber: acronym }, { addsubcategories: false }),
  ]);
  if (dept) throw new ConflictError(`ScoDoc already has a département ${dept.acronym}.`);
  if (categories.length > 0)
    throw new ConflictError(
      `Moodle already has a category with idnumber ${acronym} (id ${categories[0]!.id}).`,
    );
}

/**
 * Deletes the Moodle category, then the ScoDoc département. Refused while the category holds courses or the
 * département still has students or semesters: ScoDoc would erase them all, and that cannot be undone.
 * The (empty) category goes first because it alone can be re-created if ScoDoc then fails.
 */
export async function deleteDepartment(
  deps: WriteDeps,
  trail: Trail,
  rawAcronym: unknown,
): Promise<{ acronym: string }> {
  const asked = parseInput(createDepartmentInput.shape.acronym, rawAcronym, 'acronym');
  const dept = await departmentOf(deps, asked);
  if (!dept) throw new NotFoundError(`ScoDoc has no département ${asked}.`, 'department');
  const acronym = dept.acronym;
  const category = await categoryOf(deps, acronym);
  if (category) await refuseNonEmpty(deps, category, acronym);
  const [students, semesters] = await Promise.all([
    deps.scodoc.departementEtudiants(acronym),
    deps.scodoc.formsemestresQuery({ dept_acronym: acronym }),
  ]);
  if (students.length > 0 || semesters.length > 0) {
    throw new ConflictError(
      `ScoDoc département ${acronym} still has ${students.length} student(s) and ${semesters.length} semester(s); deleting it would erase them.`,
    );
  }

  if (category) {
    // Empty and without subcategories (checked above), so a recursive delete removes exactly this category;
    // Moodle refuses a non-recursive delete of a top-level category.
    await deps.moodle.deleteCategories([{ id: category.id, recursive: true }]);
    trail.touch('moodle', 'category-deleted', category.id);
  }
  try {
    await deps.scodoc.deleteDepartement(acronym);
    trail.touch('scodoc', 'departement-deleted', acronym);
  } catch (err) {
    // Whatever failed (an upstream refusal or anything else), the deleted category is re-created.
    if (!category) throw err;
    deps.lists.invalidate(listKeys.everyMoodleList);
    const restored = await compensate(
      deps.log,
      `re-create Moodle category ${acronym}`,
      async () => {
        const [again] = await deps.moodle.createCategories([
          { name: category.name, idnumber: category.idnumber ?? acronym, parent: category.parent },
        ]);
        trail.touch('moodle', 'category', again!.id);
      },
    );
    if (!restored) {
      throw new PartialFailureError(
        `ScoDoc refused to delete ${acronym} (${safeMessage(err)}) after its Moodle category was deleted, and the category could not be re-created.`,
        [`Moodle category ${category.id} (${acronym}) deleted`],
        [],
        [`ScoDoc département ${acronym} still exists`],
      );
    }
    if (!(err instanceof UpstreamError)) throw err;
    throw withNote(
      err,
      `nothing was changed: the Moodle category was deleted, then re-created (new id)`,
    );
  }
  deps.lists.invalidate(listKeys.everyMoodleList);
  deps.lists.invalidate(listKeys.departments);
  return { acronym };
}

/** A category that still holds courses or subcategories is never deleted: Moodle would take them along. */
async function refuseNonEmpty(deps: WriteDeps, category: CategoryModel, acronym: string) {
  const [courses, tree] = await Promise.all([
    deps.moodle.getCoursesByField('category', String(category.id)),
    deps.moodle.getCategories({ ids: category.id }, { addsubcategories: true }),
  ]);
  if (courses.length > 0)
    throw new ConflictError(
      `The Moodle category of ${acronym} still holds ${courses.length} course(s): delete or move them first.`,
    );
  if (tree.length > 1)
    throw new ConflictError(
      `The Moodle category of ${acronym} still has ${tree.length - 1} subcategor(ies): delete or move them first.`,
    );
}

/**
 * The Moodle category of a département ScoDoc no longer has (deleted in ScoDoc alone, so deleteDepartment,
 * which starts from ScoDoc, cannot find it): the category the link rule gives for the acronym, with the same
 * guarantee as deleteDepartment (refused while it holds courses or subcategories). Refused while ScoDoc still
 * has the département: then deleteDepartment removes both sides together.
 */
export async function deleteDepartmentCategory(
  deps: WriteDeps,
  trail: Trail,
  rawAcronym: unknown,
): Promise<{ acronym: string }> {
  const acronym = parseInput(createDepartmentInput.shape.acronym, rawAcronym, 'acronym');
  const [dept, category] = await Promise.all([
    departmentOf(deps, acronym),
    categoryOf(deps, acronym),
  ]);
  if (dept)
    throw new ConflictError(
      `ScoDoc still has the département ${dept.acronym}: deleteDepartment removes it with its category.`,
    );
  if (!category)
    throw new NotFoundError(`Moodle has no category linked to ${acronym}.`, 'category');
  await refuseNonEmpty(deps, category, acronym);
  await deps.moodle.deleteCategories([{ id: category.id, recursive: true }]);
  trail.touch('moodle', 'category-deleted', category.id);
  deps.lists.invalidate(listKeys.everyMoodleList);
  return { acronym };
}

/** What a client may read of a failure: an upstream's safe message, never an unexpected error's text. */
function safeMessage(err: unknown): string {
  return err instanceof UpstreamError ? err.message : 'unexpected error';
}

/** The same upstream failure, with what the gateway did about it appended to its message. */
function withNote(err: UpstreamError, note: string): UpstreamError {
  return new UpstreamError({
    system: err.system,
    code: err.code,
    status: err.status,
    upstreamCode: err.upstreamCode,
    message: `${err.message} (${note})`,
    detail: err.detail,
  });
}

/**
 * The Moodle category of a ScoDoc département that has none (a département made in ScoDoc alone, or a
 * Moodle set up after ScoDoc): named after the département, with the acronym as idnumber, so that both link
 * rules (LINK_DEPARTMENT_BY=idnumber or name) find it.
 */
export async function createDepartmentCategory(
  deps: WriteDeps,
  trail: Trail,
  rawAcronym: unknown,
): Promise<{ department: DepartmentModel; category: CategoryModel }> {
  const asked = parseInput(createDepartmentInput.shape.acronym, rawAcronym, 'acronym');
  const department = await departmentOf(deps, asked);
  if (!department) throw new NotFoundError(`ScoDoc has no département ${asked}.`, 'department');
  const existing = await categoryOf(deps, department.acronym);
  if (existing)
    throw new ConflictError(
      `Département ${department.acronym} already has a Moodle category (id ${existing.id}).`,
    );
  const taken = await deps.moodle.getCategories({ idnumber: department.acronym });
  if (taken.length > 0)
    throw new ConflictError(
      `Moodle already has a category with idnumber ${department.acronym} (id ${taken[0]!.id}) that the link rule does not match: rename it, or set LINK_DEPARTMENT_BY=idnumber.`,
    );
  // With LINK_DEPARTMENT_BY=name the category's name is what links it: the acronym, then.
  const name =
    deps.linking.department === 'name'
      ? department.acronym
      : (department.name ?? department.acronym);
  const [created] = await deps.moodle.createCategories([
    { name, idnumber: department.acronym, parent: 0 },
  ]);
  trail.touch('moodle', 'category', created!.id);
  deps.lists.invalidate(listKeys.everyMoodleList);
  return {
    department,
    category: { id: created!.id, name, idnumber: department.acronym, parent: 0, courseCount: 0 },
  };
}
