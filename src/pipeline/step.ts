/**
 * What a pipeline step is: an id, the earlier steps whose results it reads, a zod schema for its
 * stored result, an optional condition, the body, and optionally a verdict on its own result that
 * ends the run (a rejected candidate, a rolled-back deployment). The run walks the table of steps
 * (steps/index.ts); adding a step is adding a module and a row.
 */
import type { z } from 'zod';
import type { AppContext } from '../app-context.js';
import type { ModelLineConfig } from '../config/config.js';
import type { RefitError } from '../core/errors.js';
import type { Logger } from '../core/ports/logger.js';
import type { RunView } from '../stores/runs.js';
import type { RunKeys } from './run-keys.js';
import type { StepId } from './step-ids.js';

export interface StepContext {
  readonly app: AppContext;
  readonly run: RunView;
  readonly line: ModelLineConfig;
  /** Lines carry the model line, the run and the step. */
  readonly log: Logger;
  readonly keys: RunKeys;
  /** Aborts when the run is cancelled while the step runs (long local work stops on it). */
  readonly signal: AbortSignal;
  /** The result of an earlier step (one of `needs`). */
  result<R>(step: PipelineStep<R>): R;
  /** Whether an earlier step ran in this run (conditional steps may not). */
  ran(step: PipelineStep<unknown>): boolean;
  now(): number;
}

export interface PipelineStep<R> {
  id: StepId;
  /** One sentence for the timeline and ARCHITECTURE.md: what it does. */
  summary: string;
  /** Steps whose results it reads; each comes before it in the table. */
  needs: readonly StepId[];
  /** The shape of its stored result, checked when it is stored and when it is replayed. */
  result: z.ZodType<R>;
  /** Whether the step applies to this run (default: always). */
  when?(ctx: StepContext): boolean;
  run(ctx: StepContext): Promise<R>;
  /** An error that ends the run after this step, decided from its result (default: none). */
  stop?(result: R, ctx: StepContext): RefitError | null;
}

// The table holds steps of different result types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = PipelineStep<any>;
