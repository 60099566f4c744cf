/**
 * The demo's deliberate mistakes, injected mid-replay and said so on screen, to show what the
 * loop does about them:
 *  - spam, at 30% of the replay: a trainer configuration that regularises the model into
 *    uselessness (C = 0.0001). The gate rejects it against the champion on the same holdout.
 *  - weather, at 70%: a bad deployment — the new version's serving host stops answering its
 *    health check. The candidate is blessed and promoted; verification waits for the host, gives
 *    up after `verify.timeout`, and the champion is rolled back to the version before.
 */
import type { AppContext } from '../app-context.js';

export interface Injection {
  atMs: number;
  model: string;
  /** A sentence for the screen. */
  describe: string;
  /** A word for the chart. */
  short: string;
  /** Changes the line's config (or the world) in memory; returns what undoes it. */
  apply(app: AppContext, world: World): () => void;
  done?: boolean;
}

/** What the demo controls outside refit: the weather line's serving host. */
export interface World {
  healthy: boolean;
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
      atMs: at(0.7),
      model: 'weather',
      describe:
        "a bad deployment into weather: the new version's serving host stops answering its health check — " +
        'verification should give up and roll back',
      short: 'host down',
      apply(_app, world) {
        world.healthy = false;
        return () => (world.healthy = true);
      },
    },
  ];
}
