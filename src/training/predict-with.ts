/**
 * Predicting with a trained model, whatever trained it: the line's predict command when it has
 * one (it scores and serves every candidate of the line), else the built-in model in-process. The
 * predict command gets (REFIT_MODEL_DIR, REFIT_INPUT with one {"id","input"} per line,
 * REFIT_OUTPUT_DIR → predictions.jsonl with {"id","prediction","proba"?}).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelLineConfig } from '../config/config.js';
import { RefitError, UsageError } from '../core/errors.js';
import { runCommand } from '../executors/command.js';
import { loadModel, predict, type Prediction } from '../ml/train/model.js';

export async function predictWith(
  line: ModelLineConfig,
  modelDir: string,
  rows: { id: string; input: Record<string, unknown> }[],
  configDir: string,
): Promise<Prediction[]> {
  // A line's predict command scores every candidate, whatever trained it and whatever it wrote.
  if (line.train.predictCommand) return predictByCommand(line, line.train.predictCommand, modelDir, rows, configDir);
  const builtin = join(modelDir, 'model.json');
  if (!existsSync(builtin)) {
    throw new UsageError(
      `${modelDir} holds no built-in model.json and models.${line.name}.train.predict_command is not set: ` +
        'set predict_command to score models trained elsewhere',
    );
  }
  const m = loadModel(builtin);
  return predict(
    m,
    rows.map((r) => r.input),
  );
}

async function predictByCommand(
  line: ModelLineConfig,
  argv: string[],
  modelDir: string,
  rows: { id: string; input: Record<string, unknown> }[],
  configDir: string,
): Promise<Prediction[]> {
  const work = mkdtempSync(join(tmpdir(), 'refit-predict-'));
  try {
    const input = join(work, 'input.jsonl');
    writeFileSync(input, rows.map((r) => JSON.stringify({ id: r.id, input: r.input })).join('\n') + '\n');
    const res = await runCommand(
      argv,
      {
        REFIT_MODEL_DIR: modelDir,
        REFIT_INPUT: input,
        REFIT_OUTPUT_DIR: work,
        REFIT_MODEL: line.name,
        REFIT_TASK: line.task,
      },
      line.train.timeout,
      configDir,
    );
    if (!res.ok) throw new RefitError('TRAINING_FAILED', `the predict command of ${line.name} failed: ${res.error}`);
    const file = join(work, 'predictions.jsonl');
    if (!existsSync(file))
      throw new RefitError(
        'TRAINING_FAILED',
        `the predict command of ${line.name} wrote no predictions.jsonl into REFIT_OUTPUT_DIR`,
      );
    const byId = new Map<string, { prediction: unknown; proba?: Record<string, number> }>();
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .forEach((l, i) => {
        const r = JSON.parse(l);
        if (r.id === undefined || r.prediction === undefined)
          throw new RefitError('INPUT', `predictions.jsonl:${i + 1}: each line needs "id" and "prediction"`);
        byId.set(String(r.id), r);
      });
    return rows.map((r) => {
      const p = byId.get(r.id);
      if (!p) throw new RefitError('INPUT', `predictions.jsonl has no prediction for id ${r.id}`);
      return {
        prediction: String(p.prediction),
        proba: p.proba ?? {},
        value: typeof p.prediction === 'number' ? p.prediction : undefined,
      };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
