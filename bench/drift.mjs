// Drift over ROWS × 10 numeric columns (reference and current of ROWS rows each): refit's
// Evidently-default numeric test for large references (normed Wasserstein) plus PSI, against
// scipy/numpy doing the same in Debian's /usr/bin/python3, side by side; checks values agree.
// Usage: node bench/drift.mjs [ROWS=1000000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTest } from '../dist/ml/drift/tests.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const COLS = 10;
let s = 42;
const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const make = (shift) =>
  Array.from({ length: COLS }, (_, c) =>
    Float64Array.from({ length: rows }, () => c * 10 + normal() * (1 + c / 10) + shift * (c % 2)),
  );
const ref = make(0);
const cur = make(0.1);
const dir = mkdtempSync(join(tmpdir(), 'refit-drift-'));
const toFile = (cols, name) => {
  const all = new Float64Array(rows * COLS);
  cols.forEach((col, c) => all.set(col, c * rows));
  writeFileSync(join(dir, name), Buffer.from(all.buffer));
};
toFile(ref, 'ref.f64');
toFile(cur, 'cur.f64');

const t = performance.now();
const ours = ref.map((a, c) => [
  runTest('wasserstein', a, cur[c], true).statistic,
  runTest('psi', a, cur[c], true).statistic,
]);
const refitS = (performance.now() - t) / 1000;

const py = spawnSync(
  '/usr/bin/python3',
  [
    new URL('./drift.py', import.meta.url).pathname,
    join(dir, 'ref.f64'),
    join(dir, 'cur.f64'),
    String(rows),
    String(rows),
  ],
  { encoding: 'utf8', maxBuffer: 1 << 24 },
);
if (py.status !== 0) throw new Error(py.stderr);
const scipy = JSON.parse(py.stdout);
let maxDiff = 0;
ours.forEach((v, c) => v.forEach((x, k) => (maxDiff = Math.max(maxDiff, Math.abs(x - scipy.values[c][k])))));
const result = {
  rows,
  columns: COLS,
  refit_s: +refitS.toFixed(2),
  scipy_s: +scipy.seconds.toFixed(2),
  ratio_scipy_over_refit: +(scipy.seconds / refitS).toFixed(2),
  max_abs_diff: maxDiff,
};
console.table([result]);
console.log(JSON.stringify({ bench: 'drift', result }));
rmSync(dir, { recursive: true, force: true });
