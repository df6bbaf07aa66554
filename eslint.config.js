// `npm run lint`: typescript-eslint with type information (the project service reads tsconfig.json),
// plus import-x for dependency cycles. Everything in the repository that is TypeScript or JavaScript is
// linted (src, test, bench, scripts, bin and the root config files) except what is ignored just below.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // src/generated/ is written by `npm run codegen`: not ours to lint.
  globalIgnores(['node_modules/', 'dist/', 'coverage/', 'src/generated/']),

  js.configs.recommended,
  // The whole recommended-type-checked set stays on, no-unsafe-*, require-await and
  // restrict-template-expressions included: on a tree that typechecks they report a few dozen places, not
  // hundreds, so they are worth fixing rather than switching off.
  tseslint.configs.recommendedTypeChecked,
  // import-x's TypeScript preset: lets it parse .ts files it follows (without these settings no-cycle
  // silently sees no .ts dependency at all) and turns off import-x/named, which TypeScript already checks.
  importX.flatConfigs.typescript,

  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: {
      // Resolves the extensionless relative imports ('../graph/builder') the way tsc does.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // Type-only imports (`import type`) are erased at run time and are not counted as cycle edges.
      // ignoreExternal: stop at node_modules instead of walking every package's own imports.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // The layers (README, "How it is built"): each imports only what sits below it.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/domain',
              from: './src',
              except: ['./domain'],
              message: 'src/domain imports nothing but itself.',
            },
            {
              target: './src/upstreams',
              from: './src',
              except: ['./upstreams', './observability'],
              message: 'The upstream clients import nothing above them.',
            },
            {
              target: ['./src/provisioning', './src/writes', './src/sync'],
              from: './src/graph',
              message: 'Writes and the sync never import the GraphQL layer.',
            },
            {
              target: './src/provisioning',
              from: ['./src/writes', './src/sync'],
              message: 'provisioning sits below the write services and the sync.',
            },
            {
              target: './src/sync',
              from: './src/writes',
              message: "The sync uses src/provisioning, not the mutations' services.",
            },
          ],
        },
      ],
      // A leading underscore marks a binding that is unused on purpose (for instance one taken out of an
      // object so that `...rest` leaves it behind).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // The JavaScript files (this file, bin/campusgraph.js, scripts/build.mjs: it runs at `npm ci`, before any
  // TypeScript tool could) are outside tsconfig.json: lint them without types.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
