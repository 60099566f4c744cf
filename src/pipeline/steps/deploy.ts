/**
 * deploy — the new version becomes champion (a no-op when it already is; the promotion is recorded
 * as a decision with the headline) and is pushed to the deploy target: refit's own serving, a
 * signed webhook (the run's delivery id), or an inference Space restart.
 */
import { z } from 'zod';
import { pushToTarget } from '../../deploy/push.js';
import { getVersion, promote } from '../../registry/registry.js';
import { recordRunDecision } from '../../stores/decisions.js';
import { headlineOf } from '../headline.js';
import type { PipelineStep, StepContext } from '../step.js';
import { STEP } from '../step-ids.js';
import { evaluate } from './evaluate.js';
import { datasetOf } from './fetch-dataset.js';
import { register } from './register.js';

const Result = z.object({ promoted: z.number(), target: z.string(), pushed: z.string(), atMs: z.number() });

export const deploy: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.deploy,
  summary: 'promotes the version to champion and pushes it to the deploy target',
  needs: [STEP.evaluate, STEP.register],
  result: Result,
  async run(ctx) {
    const { app, line, run } = ctx;
    const { version } = ctx.result(register);
    const headline = runHeadline(ctx);
    const change = await promote(app, line.name, version, `run:${run.id}`, headline);
    if (change.changed) {
      const id = ctx.keys.decision('promote');
      const d = { id, model: line.name, runId: run.id, action: 'promote', actor: `run:${run.id}` } as const;
      await recordRunDecision(app.store, { ...d, reason: headline, details: { moves: change.moves }, atMs: ctx.now() });
    }
    const pushed = await pushToTarget(app, await getVersion(app, line.name, version), ctx.keys.deployDelivery);
    return { promoted: version, target: line.deploy.target, pushed, atMs: ctx.now() };
  },
};

/** "spam v4 retrained on … and deployed: f1_macro 0.962 (champion v3: 0.941)" */
export function runHeadline(ctx: StepContext): string {
  const e = ctx.result(evaluate);
  const { version } = ctx.result(register);
  const candidate = e.candidate;
  const champion = e.champion;
  const tag = datasetOf(ctx).tag;
  return headlineOf(ctx.line.name, version, candidate, champion, e.championVersion, tag, ctx.line.gate);
}
