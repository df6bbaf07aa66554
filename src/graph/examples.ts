import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** GraphiQL opens on the département roster, the most useful first query, read from schema/operations. */
const roster = readFileSync(
  fileURLToPath(new URL('../../schema/operations/DepartmentRoster.graphql', import.meta.url)),
  'utf8',
);

export const GRAPHIQL_DEFAULT_QUERY = `${roster.trim()}\n\n# Variables: { "acronym": "INFO", "first": 20 }\n`;
