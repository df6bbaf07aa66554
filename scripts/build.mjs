// `npm run build`: the gateway and the CLI as plain JavaScript in dist/, so production runs `node` with no
// TypeScript compiler at start. Dependencies stay in node_modules (installed with `npm ci --omit=dev`);
// code that only demo mode needs (the simulators) is a chunk of its own, loaded only when an upstream is
// simulated.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
});
