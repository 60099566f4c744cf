/**
 * notify — the people are told the run's result (a promotion with its headline and numbers),
 * through the outbox: recorded once under the run's notification key, delivered now or by a
 * later tick. The result says what was delivered and what is still pending, and why.
 */
import { z } from 'zod';
import { headlineMetric, metricOf } from '../headline.js';
import { notifyRun } from '../run-notify.js';
import type { PipelineStep } from '../step.js';
import { STEP } from '../step-ids.js';
import { runHeadline } from './deploy.js';
import { evaluate } from './evaluate.js';
import { datasetOf } from './fetch-dataset.js';
import { gate } from './gate.js';
import { register } from './register.js';

const Result = z.object({
  queued: z.number(),
  delivered: z.number().default(0),
  pending: z.array(z.object({ channel: z.string(), error: z.string().nullable() })).default([]),
});

/** "; not delivered yet: slack (why)" for a run's outcome, or '' when everything went out. */
export function undeliveredNote(result: z.infer<typeof Result>): string {
  if (result.pending.length === 0) return '';
  const list = result.pending.map((p) => `${p.channel}${p.error ? ` (${p.error})` : ''}`).join('; ');
  return `; not delivered yet: ${list}`;
}

export const notify: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.notify,
  summary: 'tells people (Slack, webhook, e-mail, GitHub issue) through the outbox',
  needs: [STEP.evaluate, STEP.gate, STEP.register, STEP.deploy],
  result: Result,
  async run(ctx) {
    const e = ctx.result(evaluate);
    const candidate = e.candidate;
    const champion = e.champion;
    const key = headlineMetric(candidate, ctx.line.gate);
    const numbers = {
      version: ctx.result(register).version,
      dataset: datasetOf(ctx).tag,
      [key]: metricOf(candidate, key),
      champion_version: e.championVersion,
      [`champion_${key}`]: champion ? metricOf(champion, key) : null,
    };
    return notifyRun(ctx.app, {
      runId: ctx.run.id,
      model: ctx.line.name,
      kind: 'promoted',
      title: runHeadline(ctx),
      text: `Run ${ctx.run.id}: ${ctx.result(gate).summary}`,
      data: numbers,
    });
  },
};
