import {
  Kind,
  OperationTypeNode,
  getNamedType,
  getOperationAST,
  isObjectType,
  isUnionType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLUnionType,
  type SelectionSetNode,
} from 'graphql';

/**
 * The upstream calls a request will make, estimated before it runs from the operation alone: what each
 * field costs, whether that cost is paid once per level (the loaders batch or cache it) or once per item of
 * its parent list, and how many items a list field yields (its `first`, or a typical size for the unpaged
 * ones). Deliberately pessimistic about lists that grow with the university (a semester's students, every
 * semester), so that one cheap-looking query cannot fan out to thousands of calls: the server refuses what
 * the estimate puts over MAX_UPSTREAM_CALLS, and counts the calls of what it lets run.
 */

interface FieldCost {
  /** Calls paid once for the whole level, however many parents ask (batched or cached by the loaders). */
  once?: number | ((args: Record<string, unknown>) => number);
  /** Calls paid for each parent item (no batch route upstream). */
  each?: number;
  /** `each`, but at most this many per level (the loaders switch to a per-course or per-semester form). */
  eachUpTo?: number;
  /** Items the field yields per parent: a number, or from its arguments. */
  items?: number | ((args: Record<string, unknown>) => number);
}

const page = (fallback: number) => (args: Record<string, unknown>) =>
  typeof args.first === 'number' ? args.first : fallback;

/** Typical sizes, from the demo university (a large IUT): used where a list is not paged. */
const SEMESTERS_ON_SITE = 120;
const SEMESTERS_OF_DEPARTMENT = 30;
const STUDENTS_OF_SEMESTER = 60;
const REGISTRATIONS_OF_STUDENT = 4;
const ENROLMENTS_OF_STUDENT = 5;
const GROUPS_OF_SEMESTER = 10;
const STUDENTS_OF_GROUP = 25;
/** Groups of a course: the sync makes one per ScoDoc group of its semester (3 partitions, ~40 groups). */
const GROUPS_OF_COURSE = 40;
/** A category holds a few dozen courses: above that, enrolments are read course by course. */
const COURSES_OF_CATEGORY = 25;

/** How many representations an `_entities` request carries. */
const representations = (args: Record<string, unknown>) =>
  Array.isArray(args.representations) ? args.representations.length : 1;

const COSTS: Record<string, FieldCost> = {
  'Query.departments': { once: 1, items: 6 },
  'Query.department': { once: 1, items: 1 },
  'Query.student': { once: 2, items: 1 },
  'Query.students': { once: 2, items: page(50) },
  'Query.semester': { once: 1, items: 1 },
  'Query.semesters': {
    once: 2,
    items: (args) => (args.department ? SEMESTERS_OF_DEPARTMENT : SEMESTERS_ON_SITE),
  },
  'Query.course': { once: 1, items: 1 },
  'Query.courses': { once: 3, items: page(50) },
  'Query.node': { once: 1, items: 1 },
  // A student or semester by key is one ScoDoc call each (no batch route): one per representation.
  'Query._entities': { once: representations, items: representations },
  'Department.moodleCategoryId': { once: 1 },
  'Department.semesters': { each: 1, items: SEMESTERS_OF_DEPARTMENT },
  'Department.students': { each: 1, items: page(50) },
  'Department.courses': { each: 1, once: 1, items: page(50) },
  // Records from lists are ScoDoc's short form: the e-mail costs one call per student.
  'Student.email': { each: 1 },
  'Student.department': { once: 1 },
  'Student.registrations': { each: 1, items: REGISTRATIONS_OF_STUDENT },
  'Student.groups': { each: 1 },
  'Student.moodleAccount': { once: 1 },
  'Student.enrolments': { once: 2, eachUpTo: COURSES_OF_CATEGORY, items: ENROLMENTS_OF_STUDENT },
  'SemesterRegistration.state': { eachUpTo: 3 * SEMESTERS_ON_SITE },
  'SemesterRegistration.groups': { eachUpTo: 3 * SEMESTERS_ON_SITE },
  'Semester.students': { each: 1, items: STUDENTS_OF_SEMESTER },
  'Semester.course': { each: 1, items: 1 },
  'Semester.department': { once: 1, items: 1 },
  'Semester.groups': { each: 1, items: GROUPS_OF_SEMESTER },
  'Group.students': { each: 1, items: STUDENTS_OF_GROUP },
  'Group.semester': { once: 1, items: 1 },
  // The semester (cached by id), its course (one look-up per semester), that course's groups (one per course).
  'Group.moodleGroup': { once: 3, items: 1 },
  'Course.groups': { each: 1, items: GROUPS_OF_COURSE },
  // Members of every group asked in one call, their accounts in one more.
  'MoodleGroup.members': { once: 2, items: STUDENTS_OF_GROUP },
  // The course's semester (one ScoDoc query per course) and that semester's groups (one call per semester).
  'MoodleGroup.scodocGroup': { each: 2, items: 1 },
  'MoodleGroup.course': { once: 1, items: 1 },
  'Course.enrolments': { each: 2, items: page(100) },
  'Course.department': { once: 2, items: 1 },
  'Course.semester': { eachUpTo: SEMESTERS_OF_DEPARTMENT, items: 1 },
  'Enrolment.course': { once: 1, items: 1 },
  'Enrolment.student': { once: 2, items: 1 },
  'Enrolment.roles': { eachUpTo: COURSES_OF_CATEGORY },
};

/** Fields whose type holds items (lists and connections) but that cost nothing themselves. */
const PASS_THROUGH = new Set(['edges', 'node']);

export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== OperationTypeNode.QUERY) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = schema.getQueryType();
  return root ? walk(root, operation.selectionSet, 1) : 0;

  function walk(type: GraphQLObjectType, set: SelectionSetNode, items: number): number {
    let calls = 0;
    for (const field of fieldsOf(set)) {
      const name = field.name.value;
      const def = type.getFields()[name];
      if (!def) continue;
      const cost = COSTS[`${type.name}.${name}`];
      const args = argumentsOf(field);
      if (cost) {
        calls += typeof cost.once === 'function' ? cost.once(args) : (cost.once ?? 0);
        calls += (cost.each ?? 0) * items;
        if (cost.eachUpTo !== undefined) calls += Math.min(items, cost.eachUpTo);
      }
      const child = getNamedType(def.type);
      if (!field.selectionSet || !(isObjectType(child) || isUnionType(child))) continue;
      const yields = typeof cost?.items === 'function' ? cost.items(args) : (cost?.items ?? 1);
      const next = PASS_THROUGH.has(name) || !cost ? items : items * yields;
      calls += isUnionType(child)
        ? walkMembers(child, field.selectionSet, next)
        : walk(child, field.selectionSet, next);
    }
    return calls;
  }

  /** A union's fragments, each priced as if every item were of its type (`_entities`: pessimistic). */
  function walkMembers(union: GraphQLUnionType, set: SelectionSetNode, items: number): number {
    let calls = 0;
    for (const s of set.selections) {
      const fragment =
        s.kind === Kind.INLINE_FRAGMENT
          ? s
          : s.kind === Kind.FRAGMENT_SPREAD
            ? fragments.get(s.name.value)
            : undefined;
      const member = union.getTypes().find((t) => t.name === fragment?.typeCondition?.name.value);
      if (fragment && member) calls += walk(member, fragment.selectionSet, items);
    }
    return calls;
  }

  function fieldsOf(set: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
    return set.selections.flatMap((s) => {
      if (s.kind === Kind.FIELD) return [s];
      if (s.kind === Kind.INLINE_FRAGMENT) return fieldsOf(s.selectionSet, seen);
      if (seen.has(s.name.value)) return [];
      seen.add(s.name.value);
      const fragment = fragments.get(s.name.value);
      return fragment ? fieldsOf(fragment.selectionSet, seen) : [];
    });
  }

  function argumentsOf(field: FieldNode): Record<string, unknown> {
    return Object.fromEntries(
      (field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]),
    );
  }
}
