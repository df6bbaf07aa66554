import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the named operations in schema/operations: tests and benchmarks import them, so a
 * schema change that breaks an operation fails the typecheck, not a user.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['schema/operations/**/*.graphql'],
  generates: {
    'src/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false },
        skipTypename: true,
      },
    },
  },
};

export default config;
