/** `refit cancel RUN` and `refit run --retry RUN`: control over runs, resuming from the failed step. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/stores/store.js';
import { cli, project } from './helpers/project.js';

const events = () =>
  Array.from({ length: 60 }, (_, i) =>
    JSON.stringify({
      type: 'example',
      id: `e${i}`,
      model: 'spam',
      input: { text: `${i % 2 ? 'free prize' : 'meeting notes'} ${i}` },
      label: i % 2 ? 'spam' : 'ham',
    }),
  ).join('\n');

/** A predictor that always says "ham" (enough for the pipeline to evaluate and register). */
const PREDICT = `import json, os
rows = [json.loads(l) for l in open(os.environ["REFIT_INPUT"]) if l.strip()]
with open(os.path.join(os.environ["REFIT_OUTPUT_DIR"], "predictions.jsonl"), "w") as f:
    for r in rows:
        f.write(json.dumps({"id": r["id"], "prediction": "ham"}) + "\\n")
`;

describe('run control', () => {
  it('cancels a queued run; a cancelled run cannot be cancelled again', async () => {
    const dir = project('models:\n  spam:\n    labels: [ham, spam]\n', { 'e.ndjson': events() });
    await cli(['ingest', 'e.ndjson'], { cwd: dir });
    const q = JSON.parse((await cli(['run', '--force', 'spam', '--no-advance', '--json'], { cwd: dir })).stdout);
    const runId = q.outcomes[0].runId;
    const c = await cli(['cancel', runId, '--reason', 'wrong data'], { cwd: dir });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain(`run ${runId} cancelled (was queued)`);
    expect((await cli(['cancel', runId], { cwd: dir })).code).toBe(1);
    const runs = JSON.parse((await cli(['runs', '--json'], { cwd: dir })).stdout);
    expect(runs[0]).toMatchObject({ id: runId, state: 'cancelled', outcome: expect.stringContaining('wrong data') });
    // Nothing advances a cancelled run.
    const tick = JSON.parse((await cli(['run', '--json'], { cwd: dir })).stdout);
    expect(tick.runs.find((r: { runId: string }) => r.runId === runId)).toBeUndefined();
  });

  it.skipIf(!existsSync('/usr/bin/python3'))(
    'retries a failed run from the failed step, replaying the finished ones',
    async () => {
      const dir = project(
        `retry: { attempts: 1 }
models:
  spam:
    labels: [ham, spam]
    train:
      executor: command
      command: ["/bin/sh", "-c", "if [ ! -f failed-once ]; then touch failed-once; echo flaky >&2; exit 1; fi; echo ok > $REFIT_OUTPUT_DIR/model.txt"]
      predict_command: [/usr/bin/python3, predict.py]
`,
        { 'e.ndjson': events(), 'predict.py': PREDICT },
      );
      await cli(['ingest', 'e.ndjson'], { cwd: dir });
      const first = await cli(['run', '--force', 'spam', '--json'], { cwd: dir });
      expect(first.code).toBe(1);
      const out = JSON.parse(first.stdout);
      expect(out.runs[0]).toMatchObject({ state: 'failed', outcome: expect.stringContaining('flaky') });
      const runId = out.runs[0].runId;
      const retried = await cli(['run', '--retry', runId, '--json'], { cwd: dir });
      expect(retried.code, retried.stderr + retried.stdout).toBe(0);
      expect(JSON.parse(retried.stdout).runs).toEqual([expect.objectContaining({ runId, state: 'succeeded' })]);
      const store = await openStore(`sqlite:${join(dir, '.refit', 'refit.db')}`);
      try {
        const steps = Object.fromEntries(
          (await store.db.selectFrom('steps').select(['step_id', 'attempts']).execute()).map((s) => [
            s.step_id,
            s.attempts,
          ]),
        );
        expect(steps).toMatchObject({ prepare: 1, validate: 1, train: 1, deploy: 1 });
        expect(await store.db.selectFrom('datasets').select('tag').execute()).toHaveLength(1);
        expect(await store.db.selectFrom('training_jobs').select('state').execute()).toEqual([{ state: 'succeeded' }]);
      } finally {
        await store.close();
      }
      expect((await cli(['run', '--retry', runId], { cwd: dir })).code).toBe(1); // only failed runs
      writeFileSync(join(dir, 'x'), '');
    },
  );
});
