// Peak RSS of `refit ingest` on a large NDJSON file (default 1 GiB), run as the real CLI in a child
// process; the file is streamed, so memory must stay flat. Reports throughput too.
// Usage: node bench/ingest-rss.mjs [BYTES=1073741824]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEvents, benchConfig } from './gen-events.mjs';

const bytes = Number(process.argv[2] ?? 1024 ** 3);
const dir = mkdtempSync(join(tmpdir(), 'refit-rss-'));
const file = join(dir, 'big.ndjson');
const { rows } = await writeEvents(file, 0, 10, bytes);
writeFileSync(join(dir, 'refit.yaml'), benchConfig());
// The child reports its own peak RSS (getrusage ru_maxrss) when it exits.
const wrapper = `process.on('exit', () => process.stderr.write('MAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n')); await import(${JSON.stringify(new URL('../dist/cli/main.js', import.meta.url).href)});`;
const t = performance.now();
const r = spawnSync(
  process.execPath,
  ['--input-type=module', '-e', wrapper, 'refit', 'ingest', file, '--json', '--log-level', 'warn'],
  { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 },
);
const s = (performance.now() - t) / 1000;
if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr.slice(0, 2000)}`);
const summary = JSON.parse(r.stdout);
const maxRssKb = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)[1]);
const result = {
  file_mib: +(statSync(file).size / 2 ** 20).toFixed(0),
  events: rows,
  accepted: summary.accepted,
  seconds: +s.toFixed(1),
  events_per_s: Math.round(rows / s),
  peak_rss_mib: +(maxRssKb / 1024).toFixed(0),
};
console.table([result]);
console.log(JSON.stringify({ bench: 'ingest-rss', result }));
rmSync(dir, { recursive: true, force: true });
