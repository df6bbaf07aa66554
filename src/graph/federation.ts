import {
  GraphQLError,
  Kind,
  parse,
  print,
  printSchema,
  type ConstDirectiveNode,
  type DefinitionNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { ObjectRef } from '@pothos/core';
import type { builder } from './builder';
import type { GraphContext } from './context';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/**
 * Campus Graph as an Apollo Federation v2 subgraph, written against `graphql` alone: the Pothos federation
 * plugin adds `_entities` after the schema is built, outside scope-auth and the other plugins (README
 * "Federation"), so the protocol (the `@key` directives in `_service { sdl }`, `_entities`) is done here. What it needs is small: the keys of
 * each entity type (declared next to the type, with `asEntity`), how a representation is loaded (through
 * the same loaders as every other field), and the SDL a router composes.
 */

/** The federation spec the subgraph SDL links to (what `@key` means). */
export const FEDERATION_SPEC = 'https://specs.apollo.dev/federation/v2.6';

/** A representation as a router sends it: the type name and the fields of one of the type's keys. */
export type Representation = { __typename: string } & Record<string, unknown>;

interface Entity {
  /** Each `@key(fields: …)`: one field name per key (every key here is a single scalar field). */
  keys: readonly string[];
  resolveReference: (
    representation: Representation,
    ctx: GraphContext,
    info: GraphQLResolveInfo,
  ) => Promise<object | null>;
}

const entities = new Map<string, Entity & { ref: ObjectRef<Types, object> }>();

/** Declares an object type an entity: its keys and how a representation of it is loaded. */
export function asEntity<T extends object>(
  ref: ObjectRef<Types, T>,
  entity: {
    keys: readonly string[];
    resolveReference: (
      representation: Representation,
      ctx: GraphContext,
      info: GraphQLResolveInfo,
    ) => Promise<T | null>;
  },
): void {
  entities.set(ref.name, { ...entity, ref });
}

/** The entity types, for the `_Entity` union (read when the schema is built, after every type file). */
export const entityRefs = () => [...entities.values()].map((e) => e.ref);

export function entityOf(typename: string): Entity | undefined {
  return entities.get(typename);
}

/**
 * One key field of a representation: null when absent or null, a BAD_USER_INPUT error when of another type
 * (the value then goes through the same argument checks as a query's).
 */
export function keyOf(rep: Representation, field: string, type: 'string'): string | null;
export function keyOf(rep: Representation, field: string, type: 'number'): number | null;
export function keyOf(rep: Representation, field: string, type: 'string' | 'number') {
  const value = rep[field];
  if (value == null) return null;
  if (typeof value === type) return value;
  throw new GraphQLError(`Invalid representation: ${rep.__typename}.${field} must be a ${type}.`, {
    extensions: { code: 'BAD_USER_INPUT', argument: 'representations' },
  });
}

/** Types and root fields of the subgraph protocol itself: a router adds its own, they are not composed. */
const PROTOCOL_TYPES = new Set(['_Any', '_Entity', '_Service']);
const PROTOCOL_FIELDS = new Set(['_entities', '_service']);

const sdlOf = new WeakMap<GraphQLSchema, string>();

/**
 * The SDL `_service { sdl }` answers: the public schema with `@key` on each entity, linked to the
 * federation spec, without the protocol's own types. Printed once per schema.
 */
export function subgraphSdl(schema: GraphQLSchema): string {
  let sdl = sdlOf.get(schema);
  if (sdl === undefined) {
    const definitions = parse(printSchema(schema)).definitions.flatMap(withFederation);
    sdl = `${LINK}\n\n${print({ kind: Kind.DOCUMENT, definitions })}\n`;
    sdlOf.set(schema, sdl);
  }
  return sdl;
}

const LINK = `extend schema @link(url: "${FEDERATION_SPEC}", import: ["@key"])`;

function withFederation(definition: DefinitionNode): DefinitionNode[] {
  if ('name' in definition && PROTOCOL_TYPES.has(definition.name?.value ?? '')) return [];
  if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) return [definition];
  const name = definition.name.value;
  if (name === 'Query') {
    const fields = definition.fields?.filter((f) => !PROTOCOL_FIELDS.has(f.name.value));
    return [{ ...definition, fields }];
  }
  const keys = (entities.get(name)?.keys ?? []).map(keyDirective);
  return [{ ...definition, directives: [...(definition.directives ?? []), ...keys] }];
}

function keyDirective(fields: string): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: 'key' },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'fields' },
        value: { kind: Kind.STRING, value: fields },
      },
    ],
  };
}
