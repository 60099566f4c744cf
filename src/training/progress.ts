/**
 * How far a training is, read from its log (any executor's: the built-in trainer says "iteration
 * N of at most M", trainers commonly say "epoch N of M", "epoch N/M" or "step N/M"): the last
 * such line wins. Pure and free of Node APIs, so the dashboard's bundle uses it as it is.
 */
export interface Progress {
  done: number;
  total: number;
  /** iteration | epoch | step */
  unit: string;
  /** The built-in trainer's total is a cap: it may converge before. */
  atMost: boolean;
}

const PATTERN = /\b(iteration|epoch|step)\s+(\d+)\s*(?:\/|of)\s*(at most\s+)?(\d+)/gi;

export function progressOf(log: string | null | undefined): Progress | null {
  if (!log) return null;
  // Only the tail can hold the newest line: a long log is not scanned whole on every poll.
  const tail = log.length > 8192 ? log.slice(-8192) : log;
  let last: Progress | null = null;
  for (const m of tail.matchAll(PATTERN)) {
    const done = Number(m[2]);
    const total = Number(m[4]);
    if (total > 0 && done <= total) last = { done, total, unit: m[1]!.toLowerCase(), atMost: !!m[3] };
  }
  return last;
}

export function progressText(p: Progress): string {
  return `${p.unit} ${p.done} of ${p.atMost ? 'at most ' : ''}${p.total}`;
}
