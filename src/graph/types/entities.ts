import { GraphQLError, valueFromASTUntyped, type GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { entityOf, entityRefs, subgraphSdl, type Representation } from '../federation';

/**
 * The Federation v2 subgraph protocol on the public endpoint: `_service { sdl }` for a router to compose
 * from, `_entities` for it to load Students, Courses, Départements and Semesters by key. Both are ordinary
 * Query fields: they need the `read` scope like every other, and each entity's own fields keep their
 * scopes (a Student's `ine` through `_entities` still needs read:personal).
 */

const AnyScalar = builder.scalarType('_Any', {
  description: 'A representation of an entity: its `__typename` and the fields of one of its keys.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast) => valueFromASTUntyped(ast),
});

const ServiceRef = builder.objectRef<{ sdl: string }>('_Service').implement({
  description: 'This subgraph, as a federation router composes it.',
  fields: (t) => ({
    sdl: t.exposeString('sdl', {
      description: 'The subgraph SDL: the public schema with its `@key` directives.',
    }),
  }),
});

const EntityUnion = builder.unionType('_Entity', {
  description: 'Every type a router may load by key with `_entities`.',
  types: entityRefs,
  resolveType: (value) => (value as { kind: string }).kind,
});

builder.queryFields((t) => ({
  _service: t.field({
    type: ServiceRef,
    description:
      'The subgraph SDL, for federation composition. Not introspection: it answers in production too.',
    resolve: (_root, _args, _ctx, info) => ({ sdl: subgraphSdl(info.schema) }),
  }),
  _entities: t.field({
    type: [EntityUnion],
    nullable: { list: false, items: true },
    description:
      'Entities by key, in the order of `representations`; null for one that does not exist. Each type is loaded through the loaders of its other fields, so representations of one type batch as they do there.',
    args: {
      representations: t.arg({
        type: [AnyScalar],
        required: true,
        description: 'The `{ __typename, <key fields> }` of each entity to load.',
      }),
    },
    resolve: async (_root, args, ctx, info) => {
      const settled = await Promise.allSettled(
        args.representations.map((r) => resolveRepresentation(r, ctx, info)),
      );
      // All at once, so that the entities' own fields are asked in one tick and batch (12 students'
      // accounts: one Moodle call); a failure stays on its own item (a settled promise per item).
      return settled.map((s) =>
        s.status === 'fulfilled' ? s.value : Promise.reject(asError(s.reason)),
      );
    },
  }),
}));

async function resolveRepresentation(
  representation: unknown,
  ctx: GraphContext,
  info: GraphQLResolveInfo,
): Promise<object | null> {
  const typename = (representation as { __typename?: unknown } | null)?.__typename;
  const entity = typeof typename === 'string' ? entityOf(typename) : undefined;
  if (!entity)
    throw new GraphQLError('A representation names no entity type of this subgraph.', {
      extensions: { code: 'BAD_USER_INPUT', argument: 'representations' },
    });
  return entity.resolveReference(representation as Representation, ctx, info);
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
