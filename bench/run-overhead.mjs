// Orchestration overhead of a full run (decide → prepare → validate → train → evaluate → gate →
// register → deploy) with a trivial command trainer (`true`; predictions echo the label back),
// on SQLite and PostgreSQL: the whole tick's wall time minus the time spent inside the trainer
// and predictor processes. Baseline: the same trivial commands spawned directly, side by side.
// Usage: node bench/run-overhead.mjs [RUNS=10]   (REFIT_BENCH_PG_URL or REFIT_TEST_PG_URL for PostgreSQL)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openApp, closeApp, decideAll, ManualClock } from '../dist/index.js';
import { advanceDueRuns, workerId } from '../dist/pipeline/tick.js';
import { writeEventBatch } from '../dist/stores/evidence.js';

const runs = Number(process.argv[2] ?? 10);
const predictScript = `import json,os\nrows=[json.loads(l) for l in open(os.environ['REFIT_INPUT'])]\nopen(os.path.join(os.environ['REFIT_OUTPUT_DIR'],'predictions.jsonl'),'w').write(''.join(json.dumps({'id':r['id'],'prediction':r['input']['y']})+'\\n' for r in rows))\n`;

async function bench(store) {
  const dir = mkdtempSync(join(tmpdir(), 'refit-overhead-'));
  writeFileSync(join(dir, 'predict.py'), predictScript);
  writeFileSync(
    join(dir, 'refit.yaml'),
    `models:\n  m:\n    task: tabular-classification\n    triggers:\n      rules:\n        - { signal: new_examples, op: ">=", value: 1 }\n    budget: { capacity: 1000, refill: 1/1s }\n    train:\n      executor: command\n      command: [/bin/true]\n      predict_command: [/usr/bin/python3, predict.py]\n`,
  );
  const clock = new ManualClock(Date.parse('2026-11-22T00:00:00Z'));
  const app = await openApp({ cwd: dir, env: {}, overrides: store ? { store } : {}, clock });
  const times = [];
  for (let r = 0; r < runs; r++) {
    const events = Array.from({ length: 40 }, (_, i) => ({
      type: 'example',
      id: `r${r}-${i}`,
      model: 'm',
      input: { x: `row ${r} ${i}`, y: i % 2 ? 'a' : 'b' },
      label: i % 2 ? 'a' : 'b',
      tsMs: clock.now(),
    }));
    await writeEventBatch(app.store, events, clock.now());
    clock.advance(60_000);
    const t = performance.now();
    // Decide and advance: the run's own path (the tick's housekeeping is measured by bench/ticks.mjs).
    await decideAll(app, { dryRun: false, actor: 'bench' });
    const [res] = await advanceDueRuns(app, workerId());
    times.push(performance.now() - t);
    if (res?.state !== 'succeeded') throw new Error(`run ${r}: ${res?.state} ${res?.outcome}`);
  }
  await closeApp(app);
  rmSync(dir, { recursive: true, force: true });
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function commandsOnly() {
  const dir = mkdtempSync(join(tmpdir(), 'refit-overhead-'));
  writeFileSync(join(dir, 'predict.py'), predictScript);
  writeFileSync(join(dir, 'in.jsonl'), JSON.stringify({ id: '1', input: { y: 'a' } }) + '\n');
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    spawnSync('/bin/true');
    // refit predicts twice per run at most (candidate; champion from the second run on)
    for (let k = 0; k < 2; k++)
      spawnSync('/usr/bin/python3', [join(dir, 'predict.py')], {
        env: { ...process.env, REFIT_INPUT: join(dir, 'in.jsonl'), REFIT_OUTPUT_DIR: dir },
      });
    times.push(performance.now() - t);
  }
  rmSync(dir, { recursive: true, force: true });
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const processes = commandsOnly();
const results = [];
const sqliteMs = await bench(null);
results.push({
  store: 'sqlite',
  run_ms: +sqliteMs.toFixed(1),
  trainer_processes_ms: +processes.toFixed(1),
  overhead_ms: +(sqliteMs - processes).toFixed(1),
});
const pgUrl = process.env.REFIT_BENCH_PG_URL ?? process.env.REFIT_TEST_PG_URL;
if (pgUrl) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const name = `refit_overhead_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  const pgMs = await bench(u.toString());
  results.push({
    store: 'postgres',
    run_ms: +pgMs.toFixed(1),
    trainer_processes_ms: +processes.toFixed(1),
    overhead_ms: +(pgMs - processes).toFixed(1),
  });
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}
console.table(results);
console.log(JSON.stringify({ bench: 'run-overhead', results }));
