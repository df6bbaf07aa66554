import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { allows, type Scope } from '../auth/scopes';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PartialFailureError,
  ValidationError,
} from '../domain/errors';
import { UpstreamError } from '../upstreams/errors';
import type { GraphContext } from './context';

/** The one Pothos builder every domain file adds its types to. */
export const builder = new SchemaBuilder<{
  Context: GraphContext;
  AuthScopes: { scope: Scope };
  DefaultFieldNullability: false;
  Connection: { totalCount: number };
  // A federation representation (types/entities.ts): any JSON object, checked field by field.
  Scalars: { _Any: { Input: unknown; Output: unknown } };
}>({
  // Errors before scope-auth: a refused mutation becomes a ForbiddenError member of its result union.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin],
  scopeAuth: {
    authScopes: (ctx) => ({ scope: (scope: Scope) => allows(ctx.caller, scope) }),
    // Checked before the resolver runs: a refusal never reaches an upstream.
    unauthorizedError: (_parent, _ctx, info) =>
      info.parentType.name === 'Mutation'
        ? new ForbiddenError(`This client may not call ${info.fieldName}.`)
        : new GraphQLError(`This client may not read ${info.parentType.name}.${info.fieldName}.`, {
            extensions: { code: 'FORBIDDEN' },
          }),
  },
  // Every mutation answers `<Name>Result = <Name>Success | the typed errors` (their GraphQL types are in
  // types/errors.ts): a field opts in with `errors: {}` and states nothing else about errors.
  errors: {
    defaultTypes: [
      ValidationError,
      NotFoundError,
      ConflictError,
      ForbiddenError,
      PartialFailureError,
      UpstreamError,
    ],
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Result`,
    },
  },
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // `nodes(ids:)` would let one request fan out to any number of upstream look-ups; `node(id:)` is enough.
    nodesQueryOptions: false,
    nodeQueryOptions: {
      description: 'Fetches any object by the global id its `id` field returned.',
    },
    nodeTypeOptions: { description: 'An object with a global id, refetchable with `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its list.' },
    idFieldOptions: { description: 'Global id: pass it to `node(id:)` to refetch this object.' },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.' },
    pageInfoFieldOptions: {
      description: 'Whether more pages exist, and the cursors to reach them.',
    },
    cursorFieldOptions: {
      description: 'Opaque cursor: pass it as `after` to continue after this item.',
    },
    nodeFieldOptions: { description: 'The item.' },
    hasNextPageFieldOptions: { description: 'More items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page.' },
    endCursorFieldOptions: {
      description: 'Cursor of the last item of the page: pass it as `after` for the next page.',
    },
    defaultConnectionTypeOptions: {
      description: 'A page of a list, with paging information and the total count.',
    },
    defaultEdgeTypeOptions: { description: 'An item of a page and its cursor.' },
    firstArgOptions: { description: 'Page size (at most 200).' },
    afterArgOptions: {
      description: 'Return the items after this cursor (an `endCursor` from a previous page).',
    },
    lastArgOptions: { description: 'Page size counted from the end (with `before`).' },
    beforeArgOptions: { description: 'Return the items before this cursor.' },
  },
});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the whole list holds (all pages).',
    resolve: (connection) => connection.totalCount,
  }),
);

builder.queryType({
  description: 'Read access to the unified ScoDoc + Moodle graph.',
  authScopes: { scope: 'read' },
});
builder.mutationType({
  description:
    'Writes to ScoDoc and Moodle. Each returns a union of a success type and typed errors; none throws for an expected failure.',
});
