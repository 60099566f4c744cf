/**
 * Keeping a streaming phase's heap near its live set. A dataset build streams millions of
 * short-lived rows: its live set stays ~50 MB, but V8 lets the old generation grow to several
 * times that before it collects. `collectGarbage` runs a full collection (V8's `gc`, made
 * reachable at runtime); the build calls it every `GC_EVERY` rows, which costs a few tens of
 * milliseconds per call and keeps the peak bounded.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const GC_EVERY = 100_000;

let gc: (() => void) | null | undefined;

/**
 * A full collection after a phase that streamed `rows` rows — only when that was enough to matter
 * (a collection of a large heap costs tens of milliseconds, a waste after a few hundred rows).
 */
export function collectAfter(rows: number): void {
  if (rows >= GC_EVERY / 2) collectGarbage();
}

export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('typeof gc === "function" ? gc : null') as (() => void) | null;
  }
  gc?.();
}
