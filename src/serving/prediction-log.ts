/**
 * Logging served predictions with group commit: concurrent requests add their rows to one pending
 * batch, one transaction writes it, and every request waits for the write that holds its rows —
 * so a prediction id returned to a caller is already stored when feedback for it arrives, at a
 * fraction of the cost of one transaction per request.
 */
import type { AppContext } from '../app-context.js';
import type { PredictionEvent } from '../core/glossary.js';
import { insertServedPredictions } from '../stores/evidence.js';
import { insertShadowPredictions, type ShadowRow } from '../stores/predictions.js';

export type { ShadowRow };

const MAX_BATCH = 2000;

export class PredictionLog {
  private pending: PredictionEvent[] = [];
  private shadows: ShadowRow[] = [];
  private flushing: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly app: AppContext) {}

  /** Resolves once the rows are stored. */
  log(rows: PredictionEvent[]): Promise<void> {
    this.pending.push(...rows);
    return this.schedule();
  }

  /** Shadow predictions: stored with the same group commit, never returned to callers. */
  logShadow(rows: ShadowRow[]): Promise<void> {
    this.shadows.push(...rows);
    return this.schedule();
  }

  private schedule(): Promise<void> {
    // One write in flight at a time; rows arriving meanwhile share the following one.
    if (!this.flushing) {
      this.flushing = this.flush().finally(() => (this.flushing = null));
      return this.flushing;
    }
    this.next ??= this.flushing.then(() => {
      this.next = null;
      return this.schedule();
    });
    return this.next;
  }

  private async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    const rows = this.pending.splice(0, MAX_BATCH);
    const shadows = this.shadows.splice(0, MAX_BATCH);
    const now = this.app.clock.now();
    if (rows.length) await insertServedPredictions(this.app.store, rows, now);
    if (shadows.length) await insertShadowPredictions(this.app.store, shadows);
    if (this.pending.length || this.shadows.length) await this.flush();
  }
}
