/**
 * A run killed with SIGKILL in the middle of its training step is resumed by the next `refit run`
 * once its lease has expired: finished steps are replayed from the store, and the loop ends with
 * exactly one dataset version, one successful training job, one registered version and one
 * promotion.
 */
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/stores/store.js';
import { project } from './helpers/project.js';
import { refit } from './helpers/spawn.js';
import { HAS_SKLEARN } from './helpers/python.js';

describe('a run killed mid-step resumes without repeating side effects', () => {
  it.skipIf(!HAS_SKLEARN && process.env.CI !== 'true')(
    'SIGKILL during training, then the next tick finishes the run exactly once',
    async () => {
      const dir = project('models: {}\n');
      cpSync(new URL('../examples/sklearn-trainer', import.meta.url).pathname, dir, { recursive: true });
      writeFileSync(
        join(dir, 'refit.yaml'),
        `lease: 1s
models:
  spam:
    labels: [ham, spam]
    triggers:
      rules:
        - { signal: new_examples, op: ">=", value: 10 }
    train:
      executor: command
      # The first attempt kills refit itself (its parent) in the middle of the step.
      command: ["/bin/sh", "-c", "if [ ! -f crashed ]; then touch crashed; kill -9 $PPID; sleep 1; fi; exec /usr/bin/python3 train.py"]
      predict_command: [/usr/bin/python3, predict.py]
`,
      );
      const words = ['free prize claim now', 'cheap meds online', 'meeting notes attached', 'quarterly report review'];
      const rows = Array.from({ length: 120 }, (_, i) =>
        JSON.stringify({
          type: 'example',
          id: `e${i}`,
          model: 'spam',
          input: { text: `${words[i % 4]} ${i}` },
          label: i % 4 < 2 ? 'spam' : 'ham',
        }),
      );
      writeFileSync(join(dir, 'events.ndjson'), rows.join('\n'));
      expect((await refit(['ingest', 'events.ndjson'], { cwd: dir })).code).toBe(0);

      const first = await refit(['run'], { cwd: dir });
      expect(first.code).not.toBe(0); // killed
      expect(existsSync(join(dir, 'crashed'))).toBe(true);

      await new Promise((r) => setTimeout(r, 1200)); // let the lease expire
      const second = await refit(['run', '--json'], { cwd: dir });
      expect(second.code, second.stderr).toBe(0);
      const out = JSON.parse(second.stdout);
      expect(out.outcomes[0].decision.action).toBe('skip'); // its dataset consumed the evidence
      expect(out.runs).toEqual([expect.objectContaining({ model: 'spam', state: 'succeeded' })]);

      const store = await openStore(`sqlite:${join(dir, '.refit', 'refit.db')}`);
      try {
        const db = store.db;
        expect(await db.selectFrom('datasets').select('tag').execute()).toHaveLength(1);
        expect(await db.selectFrom('training_jobs').select(['state']).execute()).toEqual([{ state: 'succeeded' }]);
        expect(await db.selectFrom('model_versions').select('version').execute()).toEqual([{ version: 1 }]);
        expect(
          await db.selectFrom('decisions').select('action').where('action', '=', 'promote').execute(),
        ).toHaveLength(1);
        const steps = Object.fromEntries(
          (await db.selectFrom('steps').select(['step_id', 'attempts', 'state']).execute()).map((s) => [s.step_id, s]),
        );
        expect(steps.prepare).toMatchObject({ attempts: 1, state: 'succeeded' });
        expect(steps.train).toMatchObject({ attempts: 2, state: 'succeeded' });
        expect(steps.deploy).toMatchObject({ attempts: 1, state: 'succeeded' });
      } finally {
        await store.close();
      }
      const show = await refit(['runs', 'show', out.runs[0].runId], { cwd: dir });
      expect(show.stdout).toMatch(/train\s+succeeded .*\(2 attempts\)/);
    },
    120_000,
  );
});
