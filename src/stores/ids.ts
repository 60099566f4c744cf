/** Ids for runs and decisions: sortable by time, unique across processes. */
import { randomBytes } from 'node:crypto';

export function newId(prefix: string, nowMs: number): string {
  return `${prefix}_${nowMs.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}

/**
 * Many ids per second (served predictions): a random per-process part drawn once and a counter,
 * after the time — unique across processes and within one, without a random draw per id.
 */
export function idSequence(prefix: string): (nowMs: number) => string {
  const proc = randomBytes(6).toString('hex');
  let n = 0;
  return (nowMs) =>
    `${prefix}_${nowMs.toString(36).padStart(9, '0')}${proc}${(n++ % 2_176_782_336).toString(36).padStart(6, '0')}`;
}
