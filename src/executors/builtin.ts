/**
 * The built-in executor: trains in a worker thread (so a service stays responsive), with a
 * timeout that terminates the worker. Logs are the worker's progress lines.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Task, TrainParams } from '../ml/train/model.js';

export interface ExecutionResult {
  ok: boolean;
  logs: string[];
  error: string | null;
  /** What the trainer reported (kept, never trusted). */
  reported: Record<string, unknown> | null;
}

function workerFile(): string {
  const here = fileURLToPath(new URL('./train-worker.js', import.meta.url));
  // Under a TypeScript test runner this module is src/…ts: use the compiled worker in dist/.
  return existsSync(here) ? here : here.replace(/\/src\//, '/dist/');
}

export function runBuiltin(job: {
  datasetDir: string;
  outputDir: string;
  task: Task;
  params: TrainParams;
  timeoutMs: number;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}): Promise<ExecutionResult> {
  return new Promise((resolve) => {
    const logs: string[] = [];
    const worker = new Worker(workerFile(), {
      workerData: { datasetDir: job.datasetDir, outputDir: job.outputDir, task: job.task, params: job.params },
    });
    let settled = false;
    const finish = (r: ExecutionResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          logs,
          error: `training did not finish within ${job.timeoutMs} ms and was stopped`,
          reported: null,
        }),
      job.timeoutMs,
    );
    const cancel = () => finish({ ok: false, logs, error: 'training was cancelled and stopped', reported: null });
    if (job.signal?.aborted) cancel();
    job.signal?.addEventListener('abort', cancel, { once: true });
    worker.on(
      'message',
      (m: { type: string; line?: string; message?: string; training?: Record<string, unknown>; features?: number }) => {
        if (m.type === 'log') {
          logs.push(m.line!);
          job.onLog?.(m.line!);
        } else if (m.type === 'done')
          finish({ ok: true, logs, error: null, reported: { ...m.training, features: m.features } });
        else if (m.type === 'error') finish({ ok: false, logs, error: m.message ?? 'training failed', reported: null });
      },
    );
    worker.on('error', (err) => finish({ ok: false, logs, error: err.message, reported: null }));
    worker.on('exit', (code) =>
      finish({ ok: false, logs, error: `the training worker exited with code ${code}`, reported: null }),
    );
  });
}
