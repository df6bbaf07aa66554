import { multiple, single, v } from '../params';
import type { CourseRow } from '../store';
import { courseByFieldJson, courseListJson } from './course-shapes';
import {
  deleteCourse,
  invalidParameter,
  missingRecord,
  MoodleException,
  moodleException,
  transaction,
  type WsFunction,
} from './shared';

/** core_course_*_courses: the two look-ups (each with its own course shape), creation, deletion. */

export const COURSE_FUNCTIONS: Record<string, WsFunction> = {
  core_course_get_courses_by_field: {
    params: single({ field: v('alpha', { default: '' }), value: v('raw', { default: '' }) }),
    run: (p: { field: string; value: string }, store) => {
      let courses = [...store.courses.values()];
      switch (p.field) {
        case '':
          break;
        case 'id':
          courses = courses.filter((c) => String(c.id) === p.value);
          break;
        case 'ids': {
          const ids = p.value.split(',').map((x) => x.trim());
          // Recorded bug: an unknown id makes Moodle dereference null and die with a PHP Error.
          if (ids.some((id) => !store.courses.has(Number(id))))
            throw new MoodleException(
              'Error',
              undefined,
              'Attempt to assign property "contextvalidated" on null',
            );
          courses = courses.filter((c) => ids.includes(String(c.id)));
          break;
        }
        case 'shortname':
        case 'idnumber':
          courses = courses.filter((c) => c[p.field as 'shortname' | 'idnumber'] === p.value);
          break;
        case 'category':
          courses = courses.filter((c) => String(c.categoryid) === p.value);
          break;
        default:
          throw invalidParameter(`Invalid field name: ${p.field}`);
      }
      return {
        courses: courses.sort((a, b) => a.id - b.id).map((c) => courseByFieldJson(store, c)),
        warnings: [],
      };
    },
  },

  core_course_get_courses: {
    params: single({
      options: single({ ids: multiple(v('int'), { optional: true }) }, { optional: true }),
    }),
    run: (p: { options?: { ids?: number[] } }, store) => {
      const ids = p.options?.ids;
      const courses = ids
        ? ids.map((id) => store.courses.get(id)).filter((c): c is CourseRow => !!c)
        : [...store.courses.values()];
      // No defined order in Moodle; this reversal keeps callers honest about it.
      return courses.reverse().map((c) => courseListJson(store, c));
    },
  },

  core_course_create_courses: {
    params: single({
      courses: multiple(
        single({
          fullname: v('text'),
          shortname: v('text'),
          categoryid: v('int'),
          idnumber: v('raw', { optional: true }),
          summary: v('raw', { optional: true }),
          summaryformat: v('int', { default: 1 }),
          format: v('raw', { default: 'topics' }),
          startdate: v('int', { optional: true }),
          enddate: v('int', { optional: true }),
          visible: v('int', { optional: true }),
        }),
      ),
    }),
    run: (
      p: {
        courses: Array<{
          fullname: string;
          shortname: string;
          categoryid: number;
          idnumber?: string;
          summary?: string;
          format: string;
          startdate?: number;
          enddate?: number;
          visible?: number;
        }>;
      },
      store,
    ) => {
      const created: CourseRow[] = [];
      return transaction(
        () => {
          for (const c of p.courses) {
            if (!store.categories.has(c.categoryid))
              throw missingRecord(
                'invalidrecord',
                "Can't find data record in database table course_categories.",
                `categoryid ${c.categoryid}`,
              );
            if ([...store.courses.values()].some((x) => x.shortname === c.shortname)) {
              throw moodleException(
                'shortnametaken',
                `Short name is already used for another course (${c.shortname})`,
              );
            }
            if (c.idnumber && [...store.courses.values()].some((x) => x.idnumber === c.idnumber)) {
              throw moodleException(
                'courseidnumbertaken',
                `ID number is already used for another course (${c.idnumber})`,
              );
            }
            created.push(
              store.addCourse({
                shortname: c.shortname,
                fullname: c.fullname,
                idnumber: c.idnumber ?? '',
                categoryid: c.categoryid,
                summary: c.summary ?? '',
                format: c.format,
                startdate: c.startdate ?? 0,
                enddate: c.enddate ?? 0,
                visible: c.visible ?? 1,
              }),
            );
          }
          return created.map((c) => ({ id: c.id, shortname: c.shortname }));
        },
        () => {
          for (const c of created) store.courses.delete(c.id);
        },
      );
    },
  },

  core_course_delete_courses: {
    params: single({ courseids: multiple(v('int')) }),
    run: (p: { courseids: number[] }, store) => {
      const warnings: unknown[] = [];
      for (const id of p.courseids) {
        if (!store.courses.has(id) || id === 1) {
          warnings.push({
            item: 'course',
            itemid: id,
            warningcode: 'unknowncourseidnumber',
            message: `Unknown course ID ${id}`,
          });
          continue;
        }
        deleteCourse(store, id);
      }
      return { warnings };
    },
  },
};
