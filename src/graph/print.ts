import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema';

/** The SDL checked in as schema/schema.graphql: sorted, so the diff of a change shows only that change. */
export function printSchemaFile(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
