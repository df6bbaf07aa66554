import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphContext } from './context';

/** The one Pothos builder every domain file adds its types to. */
export const builder = new SchemaBuilder<{
  Context: GraphContext;
  DefaultFieldNullability: false;
  Connection: { totalCount: number };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // `nodes(ids:)` would let one request fan out to any number of upstream look-ups; `node(id:)` is enough.
    nodesQueryOptions: false,
    nodeQueryOptions: { description: 'Fetches any object by the global id its `id` field returned.' },
    nodeTypeOptions: { description: 'An object with a global id, refetchable with `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its list.' },
  },
});

builder.globalConnectionField('totalCount', (t) =>
  t.int({ description: 'How many items the whole list holds (all pages).', resolve: (connection) => connection.totalCount }),
);

builder.queryType({ description: 'Read access to the unified ScoDoc + Moodle graph.' });
