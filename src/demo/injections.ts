/**
 * The demo's deliberate mistakes, injected mid-replay and said so on screen, to show what the
 * loop does about them:
 *  - spam, at 30% of the replay: a trainer configuration that regularises the model into
 *    uselessness (C = 0.0001). The gate rejects it against the champion on the same holdout.
 *  - spam, at 55%: a dataset that is only the champion's recent mistakes and a sample of its hits
 *    (`mode: evidence-only`) — the feedback-loop trap. On that holdout it beats the champion, so
 *    the gate blesses it; in production it is worse than the version it replaced, and the
 *    monitor rolls it back.
 */
import type { AppContext } from '../app-context.js';

export interface Injection {
  atMs: number;
  model: string;
  /** A sentence for the screen. */
  describe: string;
  /** A word for the chart. */
  short: string;
  /** Changes the line's config in memory; returns what undoes it. */
  apply(app: AppContext): () => void;
  done?: boolean;
}

export function injectionsFor(startMs: number, endMs: number): Injection[] {
  const at = (share: number) => startMs + Math.floor((endMs - startMs) * share);
  return [
    {
      atMs: at(0.3),
      model: 'spam',
      describe:
        'a bad trainer configuration into spam: C = 0.0001 (regularised into uselessness) — the gate should reject it',
      short: 'bad params',
      apply(app) {
        const train = app.config.models.spam!.train;
        const before = train.params;
        train.params = { ...before, C: 0.0001 };
        return () => (train.params = before);
      },
    },
    {
      atMs: at(0.55),
      model: 'spam',
      describe:
        "a bad dataset configuration into spam: train only on the champion's recent mistakes (mode: evidence-only) — " +
        'it wins on its own holdout, so watch the monitor',
      short: 'evidence-only',
      apply(app) {
        const dataset = app.config.models.spam!.dataset;
        const before = dataset.mode;
        dataset.mode = 'evidence-only';
        return () => (dataset.mode = before);
      },
    },
  ];
}
