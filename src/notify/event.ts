/**
 * What refit tells people: an event with a stable id (the de-duplication key), a one-line title
 * that carries the numbers ("spam v4 deployed: f1_macro 0.962 (champion v3: 0.941)"), a longer
 * text, and the numbers themselves for machines.
 */
import type { NotifyEventKind } from '../config/config.js';

export interface NotifyEvent {
  /** Stable across retries and resumed runs: e.g. "run_01H…:promoted". */
  id: string;
  kind: NotifyEventKind;
  model: string | null;
  /** The problem an issue tracker groups by (one open issue per model line and problem). */
  problem: string;
  title: string;
  text: string;
  data: Record<string, unknown>;
  atMs: number;
}
