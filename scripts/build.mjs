// `npm run build`: the gateway and the CLI as plain JavaScript in dist/, so production runs `node` with no
// TypeScript compiler at start. Dependencies stay in node_modules (installed with `npm ci --omit=dev`);
// code that only demo mode needs (the simulators) is a chunk of its own, loaded only when an upstream is
// simulated.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const outdir = 'dist';
const { metafile } = await build({
  entryPoints: { main: 'src/main.ts', cli: 'src/cli.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
// Files of earlier builds go, but only after this one is written: dist/ is never empty, so a process started
// from it meanwhile (a test, a second build) finds what it imports.
const written = new Set(Object.keys(metafile.outputs).map((p) => relative(outdir, p)));
for (const file of readdirSync(outdir, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.js') || file.endsWith('.map'))
    if (!written.has(file)) rmSync(join(outdir, file), { force: true });
}
