import { print } from 'graphql';
import { DepartmentRosterDocument } from '../generated/operations';

/**
 * GraphiQL opens on the département roster, the most useful first query: from the generated documents, so a
 * bundle reads no file at run time.
 */
export const GRAPHIQL_DEFAULT_QUERY = `${print(DepartmentRosterDocument)}\n\n# Variables: { "acronym": "INFO", "first": 20 }\n`;
