/**
 * `refit run --wait` on a terminal: while runs advance, a progress bar per training job on
 * stderr, read every half second from the job's stored log (so a remote job's log counts too).
 * Not on a pipe or in CI: there the log lines already say it, and a bar would be noise.
 */
import cliProgress from 'cli-progress';
import type { AppContext } from '../app-context.js';
import { runningJobs } from '../stores/jobs.js';
import { progressOf } from '../training/progress.js';

const EVERY_MS = 500;

export interface ProgressWatch {
  stop(): Promise<void>;
}

export function watchTrainingProgress(app: AppContext, stream: NodeJS.WritableStream, models: string[]): ProgressWatch {
  const bars = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: '{model} {unit} [{bar}] {value}/{total}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const shown = new Map<string, cliProgress.SingleBar>();
  let stopped = false;
  const once = async () => {
    for (const job of await runningJobs(app.store, models)) {
      const p = progressOf(job.logs);
      if (!p) continue;
      const payload = { model: job.model, unit: p.unit };
      const bar = shown.get(job.id) ?? bars.create(p.total, p.done, payload);
      shown.set(job.id, bar);
      bar.setTotal(p.total);
      bar.update(p.done, payload);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await once().catch(() => undefined); // a busy store skips a frame; the run goes on
      await new Promise((r) => setTimeout(r, EVERY_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      bars.stop();
    },
  };
}
