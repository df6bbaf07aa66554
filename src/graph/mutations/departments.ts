import {
  createDepartment,
  createDepartmentCategory,
  deleteDepartment,
  deleteDepartmentCategory,
} from '../../writes/departments';
import { builder } from '../builder';
import type { DepartmentModel } from '../../domain/models';
import { DepartmentRef } from '../refs';
import { perform, successType } from './define';

const CreateDepartmentInput = builder.inputType('CreateDepartmentInput', {
  description:
    'A new département: created in ScoDoc, with its Moodle category (idnumber = acronym).',
  fields: (t) => ({
    acronym: t.string({
      required: true,
      description: 'Acronym (letters, digits, _ and -; at most 20). Fixed once created.',
    }),
    name: t.string({
      description: 'Full name; the acronym when absent. Also the Moodle category name.',
    }),
    description: t.string({ description: 'Free description (ScoDoc and the Moodle category).' }),
    visible: t.boolean({ defaultValue: true, description: 'Listed on the ScoDoc home page.' }),
  }),
});

const CreateDepartmentSuccess = successType<{
  department: DepartmentModel;
  moodleCategoryId: number;
}>('CreateDepartmentSuccess', {
  description: 'The département exists in ScoDoc and its category in Moodle.',
  fields: (t) => ({
    department: t.field({
      type: DepartmentRef,
      description: 'The new département.',
      resolve: (r) => r.department,
    }),
    moodleCategoryId: t.exposeInt('moodleCategoryId', {
      description: 'Id of the Moodle category created for it.',
    }),
  }),
});

const DeleteDepartmentSuccess = successType<{ acronym: string }>('DeleteDepartmentSuccess', {
  description:
    'The département is gone from ScoDoc, and its Moodle category from Moodle (with categoryOnly, the category alone).',
  fields: (t) => ({
    acronym: t.exposeString('acronym', { description: 'Acronym of the deleted département.' }),
  }),
});

const CreateDepartmentCategorySuccess = successType<{
  department: DepartmentModel;
  moodleCategoryId: number;
}>('CreateDepartmentCategorySuccess', {
  description: 'The département now has its Moodle category.',
  fields: (t) => ({
    department: t.field({
      type: DepartmentRef,
      description: 'The département.',
      resolve: (r) => r.department,
    }),
    moodleCategoryId: t.exposeInt('moodleCategoryId', {
      description: 'Id of the Moodle category created for it.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createDepartmentCategory: t.field({
    authScopes: { scope: 'write:departments' },
    type: CreateDepartmentCategorySuccess,
    description:
      'Creates the Moodle category of a ScoDoc département that has none (named after it, idnumber = acronym). ConflictError when it has one.',
    args: { acronym: t.arg.string({ required: true, description: 'Acronym of the département.' }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(
        ctx,
        'createDepartmentCategory',
        args,
        CreateDepartmentCategorySuccess,
        async (trail) => {
          const { department, category } = await createDepartmentCategory(
            ctx.writes,
            trail,
            args.acronym,
          );
          return { department, moodleCategoryId: category.id };
        },
      ),
  }),
  createDepartment: t.field({
    authScopes: { scope: 'write:departments' },
    type: CreateDepartmentSuccess,
    description:
      'Creates a ScoDoc département and its Moodle category. If Moodle fails, the département is deleted again; if that fails too, a PartialFailureError says what exists where.',
    args: { input: t.arg({ type: CreateDepartmentInput, required: true }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'createDepartment', args.input, CreateDepartmentSuccess, async (trail) => {
        const { department, category } = await createDepartment(ctx.writes, trail, args.input);
        return { department, moodleCategoryId: category.id };
      }),
  }),
  deleteDepartment: t.field({
    authScopes: { scope: 'write:departments' },
    type: DeleteDepartmentSuccess,
    description:
      'Deletes the Moodle category and the ScoDoc département. Refused (ConflictError) while the category holds courses or the département still has students or semesters. With categoryOnly, deletes only the Moodle category of a département ScoDoc no longer has.',
    args: {
      acronym: t.arg.string({ required: true, description: 'Acronym of the département.' }),
      categoryOnly: t.arg.boolean({
        defaultValue: false,
        description:
          'The département is already gone from ScoDoc: delete only the Moodle category the link rule finds for the acronym (refused, ConflictError, while ScoDoc still has the département or the category holds courses or subcategories; NotFoundError when no category is linked).',
      }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      perform(ctx, 'deleteDepartment', args, DeleteDepartmentSuccess, (trail) =>
        args.categoryOnly
          ? deleteDepartmentCategory(ctx.writes, trail, args.acronym)
          : deleteDepartment(ctx.writes, trail, args.acronym),
      ),
  }),
}));
