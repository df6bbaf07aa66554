#!/usr/bin/env node
// `npx campusgraph …` from the repository: runs src/cli.ts through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
