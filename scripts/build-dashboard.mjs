// Builds the dashboard (src/dashboard/client, Preact + htm + uPlot) into dist/dashboard/: one
// minified ES module and one stylesheet (uPlot's and ours), served by `refit serve` at `/` and
// shipped in the npm package with dist/.
// Usage: node scripts/build-dashboard.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/dashboard/`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}src/dashboard/client/main.ts`],
  bundle: true,
  platform: 'browser',
  target: 'es2020',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  outfile: `${out}app.js`,
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
writeFileSync(`${out}app.css`, `${uplotCss}\n${readFileSync(`${root}src/dashboard/app.css`, 'utf8')}`);
console.log(`wrote dist/dashboard/app.js and app.css`);
