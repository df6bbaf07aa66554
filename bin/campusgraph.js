#!/usr/bin/env node
// `npx campusgraph …`: the CLI as built by `npm run build` (run by `npm ci` and `npm start`).
await import('../dist/cli.js');
