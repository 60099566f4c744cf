// Runs the quick benchmarks one after another with their default sizes (each prints its own table
// against its baseline). The long ones are left to be run by hand: decision-quality (≈ 13 min),
// ingest-rss (a 1 GiB file) and plan at 10M events.
// Usage: npm run build && npm run bench
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const QUICK = [
  ['ingest.mjs'],
  ['drift.mjs', '100000'],
  ['evaluate.mjs'],
  ['promote.mjs'],
  ['run-overhead.mjs'],
  ['dashboard.mjs', '20', '30'],
];
let failed = 0;
for (const [script, ...args] of QUICK) {
  console.log(`\n## node bench/${script} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [here + script, ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
