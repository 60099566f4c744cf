/**
 * Fuzzing what a trainer leaves behind (fast-check): a command trainer that writes any
 * metrics.json (NaN, text, nested junk), prints any amount of log (up to 2 MB), and writes a model
 * or not. Every run ends succeeded or failed with a message — never a crash; the stored log stays
 * within its limit; reported metrics are kept as reported, never trusted for the gate.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeApp, openApp } from '../../src/app.js';
import { LOG_LIMIT } from '../../src/training/local-training.js';
import { cli, project, spamExamples } from '../helpers/project.js';

const RUNS = Math.max(5, Math.round(Number(process.env.REFIT_FUZZ_RUNS ?? 100) / 10));
const PREDICT = fileURLToPath(new URL('../fixtures/keyword-model/predict.mjs', import.meta.url));

// Reads what to do from trainer.json: the metrics text, the log size, whether to write a model.
const TRAINER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const plan = JSON.parse(readFileSync('trainer.json', 'utf8'));
const out = process.env.REFIT_OUTPUT_DIR;
if (plan.metrics !== null) writeFileSync(join(out, 'metrics.json'), plan.metrics);
const line = 'x'.repeat(199) + '\\n';
for (let i = 0; i < plan.logBytes / 200; i++) process.stdout.write(line);
if (plan.model) {
  const counts = { ham: { notes: 3 }, spam: { prize: 3 } };
  writeFileSync(join(out, 'model.json'), JSON.stringify({ format: 'keyword-counts/1', labels: ['ham', 'spam'], counts }));
}
process.exit(plan.exit);
`;

const STACK = /\n\s+at .*[(\s].*:\d+:\d+\)?/;

describe('fuzzing trainer outputs', () => {
  it('any metrics.json, any log size, a model or none: the run ends with a verdict, never a crash', async () => {
    const metrics = fc.oneof(
      fc.constant(null),
      fc.constantFrom('{"accuracy": NaN}', '{"accuracy": "high"}', 'not json', '', '[]', '{"f1_macro": 1e999}'),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        metrics,
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.boolean(),
        fc.constantFrom(0, 0, 1),
        async (m, logBytes, model, exit) => {
          const config =
            'retry: { attempts: 1 }\nmodels:\n  spam:\n    labels: [ham, spam]\n    train:\n      executor: command\n' +
            `      command: [node, trainer.mjs]\n      predict_command: [node, ${JSON.stringify(PREDICT)}]\n`;
          const dir = project(config, { 'e.ndjson': spamExamples(40), 'trainer.mjs': TRAINER });
          writeFileSync(join(dir, 'trainer.json'), JSON.stringify({ metrics: m, logBytes, model, exit }));
          await cli(['ingest', 'e.ndjson'], { cwd: dir });
          const r = await cli(['run', '--force', 'spam', '--wait', '2m', '--json'], { cwd: dir });
          expect([0, 1], r.stderr).toContain(r.code);
          expect(r.stderr).not.toMatch(STACK);
          const run = JSON.parse(r.stdout).runs[0];
          const shouldSucceed = exit === 0 && model;
          expect(run.state, run.outcome).toBe(shouldSucceed ? 'succeeded' : 'failed');
          if (!shouldSucceed) expect(run.outcome.length).toBeGreaterThan(10);
          const app = await openApp({ cwd: dir, env: {} });
          try {
            const jobs = await app.store.db.selectFrom('training_jobs').select(['logs']).execute();
            for (const j of jobs) expect((j.logs ?? '').length).toBeLessThanOrEqual(LOG_LIMIT);
          } finally {
            await closeApp(app);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
