/**
 * Worker-thread entry of the built-in trainer: reads the train split, trains, writes
 * `model.json` into the output directory, and reports progress per iteration to the parent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { maxIterations, saveModel, trainModel, type Task, type TrainParams } from '../ml/train/model.js';

interface Job {
  datasetDir: string;
  outputDir: string;
  task: Task;
  params: TrainParams;
}

const job = workerData as Job;
try {
  const rows = readFileSync(join(job.datasetDir, 'train.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const r = JSON.parse(l);
      return { input: r.input, label: String(r.label) };
    });
  parentPort!.postMessage({ type: 'log', line: `training ${job.task} on ${rows.length} rows` });
  const most = maxIterations(job.task, job.params);
  const model = trainModel(rows, job.task, job.params, (i, loss) =>
    parentPort!.postMessage({ type: 'log', line: `iteration ${i} of at most ${most}: loss ${loss.toFixed(6)}` }),
  );
  saveModel(model, join(job.outputDir, 'model.json'));
  parentPort!.postMessage({ type: 'done', training: model.training, features: model.d });
} catch (err) {
  parentPort!.postMessage({ type: 'error', message: (err as Error).message });
}
