import { multiple, single, v } from '../params';
import type { CategoryRow, MoodleStore } from '../store';
import {
  deleteCourse,
  missingRecord,
  moodleException,
  transaction,
  type WsFunction,
} from './shared';

/** core_course_*_categories: search by criteria, creation, deletion (recursive or moving the contents up). */

function categoryJson(store: MoodleStore, c: CategoryRow) {
  const path = store.categoryPath(c);
  return {
    id: c.id,
    name: c.name,
    idnumber: c.idnumber,
    description: c.description,
    descriptionformat: 1,
    parent: c.parent,
    sortorder: c.sortorder,
    coursecount: [...store.courses.values()].filter((x) => x.categoryid === c.id).length,
    visible: c.visible,
    visibleold: c.visible,
    timemodified: c.timemodified,
    depth: path.length,
    path: `/${path.join('/')}`,
    theme: '',
  };
}

export const CATEGORY_FUNCTIONS: Record<string, WsFunction> = {
  core_course_get_categories: {
    params: single({
      criteria: multiple(single({ key: v('alpha'), value: v('raw') }), { optional: true }),
      addsubcategories: v('bool', { default: true }),
    }),
    run: (
      p: { criteria?: Array<{ key: string; value: string }>; addsubcategories: boolean },
      store,
    ) => {
      let cats = [...store.categories.values()];
      for (const { key, value } of p.criteria ?? []) {
        switch (key) {
          case 'id':
            cats = cats.filter((c) => String(c.id) === value);
            break;
          case 'ids': {
            const ids = new Set(value.split(',').map((x) => x.trim()));
            cats = cats.filter((c) => ids.has(String(c.id)));
            break;
          }
          case 'name':
          case 'idnumber':
            cats = cats.filter((c) => c[key] === value);
            break;
          case 'parent':
            cats = cats.filter((c) => String(c.parent) === value);
            break;
          case 'visible':
            cats = cats.filter((c) => String(c.visible) === value);
            break;
          default:
            throw moodleException(
              'criteriaerror',
              'Missing permissions to search on a criterion.',
              `You can not search on this criteria: ${key}`,
            );
        }
      }
      if (p.addsubcategories && (p.criteria ?? []).length > 0) {
        const seen = new Set(cats.map((c) => c.id));
        for (const c of [...cats])
          for (const d of store.descendants(c.id))
            if (!seen.has(d.id)) {
              seen.add(d.id);
              cats.push(d);
            }
      }
      return cats
        .sort((a, b) => a.sortorder - b.sortorder || a.id - b.id)
        .map((c) => categoryJson(store, c));
    },
  },

  core_course_create_categories: {
    params: single({
      categories: multiple(
        single({
          name: v('text'),
          parent: v('int', { default: 0 }),
          idnumber: v('raw', { optional: true }),
          description: v('raw', { optional: true }),
          descriptionformat: v('int', { default: 1 }),
          theme: v('raw', { optional: true }),
        }),
      ),
    }),
    run: (
      p: {
        categories: Array<{
          name: string;
          parent: number;
          idnumber?: string;
          description?: string;
        }>;
      },
      store,
    ) => {
      const created: CategoryRow[] = [];
      return transaction(
        () => {
          for (const c of p.categories) {
            if (c.parent !== 0 && !store.categories.has(c.parent))
              throw missingRecord(
                'invalidrecord',
                "Can't find data record in database table course_categories.",
                'parent',
              );
            if (
              c.idnumber &&
              [...store.categories.values()].some((x) => x.idnumber === c.idnumber)
            ) {
              throw moodleException(
                'categoryidnumbertaken',
                'ID number is already used for another category',
              );
            }
            created.push(
              store.addCategory({
                name: c.name,
                idnumber: c.idnumber ?? '',
                description: c.description ?? '',
                parent: c.parent,
              }),
            );
          }
          return created.map((c) => ({ id: c.id, name: c.name }));
        },
        () => {
          for (const c of created) store.categories.delete(c.id);
        },
      );
    },
  },

  core_course_delete_categories: {
    params: single({
      categories: multiple(
        single({
          id: v('int'),
          newparent: v('int', { optional: true }),
          recursive: v('int', { default: 0 }),
        }),
      ),
    }),
    run: (
      p: { categories: Array<{ id: number; newparent?: number; recursive: number }> },
      store,
    ) => {
      for (const c of p.categories) {
        const cat = store.categories.get(c.id);
        if (!cat)
          throw missingRecord(
            'invalidrecord',
            "Can't find data record in database table course_categories.",
            `SELECT * FROM {course_categories} WHERE id = ?\n[array (\n  0 => ${c.id},\n)]`,
          );
        const subtree = [cat, ...store.descendants(cat.id)];
        if (c.recursive) {
          const ids = new Set(subtree.map((x) => x.id));
          for (const course of [...store.courses.values()])
            if (ids.has(course.categoryid)) deleteCourse(store, course.id);
          for (const x of subtree) store.categories.delete(x.id);
        } else {
          const target = c.newparent ?? cat.parent;
          if (target === 0)
            throw moodleException(
              'movecatcontentstoroot',
              'Moving the category content to root is not allowed. You must move the contents to an existing category!',
            );
          for (const course of store.courses.values())
            if (course.categoryid === cat.id) course.categoryid = target;
          for (const child of store.categories.values())
            if (child.parent === cat.id) child.parent = target;
          store.categories.delete(cat.id);
        }
      }
      return null;
    },
  },
};
