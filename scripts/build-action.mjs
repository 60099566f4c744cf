// Bundles the GitHub Action (src/action/main.ts) into action/index.js with esbuild, and the builtin
// trainer's worker thread beside it (action/train-worker.js): ES modules for Node 20 and 24 (action.yml runs it on node24; CI tests it on Node 20), no native module
// (SQLite goes through sql.js with its WebAssembly inlined). `--check` rebuilds into memory and
// fails when the committed bundle differs from the sources (CI runs it).
// Usage: node scripts/build-action.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = await build({
  entryPoints: {
    index: `${root}src/action/main.ts`,
    'train-worker': `${root}src/executors/train-worker.ts`,
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  write: false,
  outdir: `${root}action`,
  legalComments: 'none',
  minify: true,
  // Native or optional modules a runner does not have: refit falls back (sql.js) or never loads them.
  external: ['better-sqlite3', 'pg-native'],
  alias: { 'sql.js': 'sql.js/dist/sql-wasm-inline.js' },
  // CommonJS dependencies call require(): give the ES module one.
  banner: {
    js: "import { createRequire as __refitRequire } from 'node:module'; const require = __refitRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const stale = [];
let bytes = 0;
for (const file of result.outputFiles) {
  bytes += file.text.length;
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(file.path, 'utf8');
    } catch {
      /* missing */
    }
    if (committed !== file.text) stale.push(`action/${basename(file.path)}`);
  } else {
    writeFileSync(file.path, file.text);
  }
}
const size = `${(bytes / 1e6).toFixed(1)} MB`;
if (stale.length) {
  console.error(`${stale.join(', ')} do(es) not match the sources: run \`npm run build:action\` and commit action/`);
  process.exit(1);
}
console.log(
  process.argv.includes('--check')
    ? `action/ matches the sources (${size})`
    : `wrote action/index.js and action/train-worker.js (${size})`,
);
