/**
 * approve — with `deploy.approval: required`, a blessed and registered candidate waits for a
 * person before it is promoted: the run parks as `awaiting_approval` saying what waits and why,
 * until `refit approve RUN` / `refit reject RUN --reason` or `POST /v1/runs/:id/approve|reject`
 * record a verdict (who, when, why). A rejection ends the run; the version stays registered, never
 * promoted.
 */
import { z } from 'zod';
import { AwaitingApprovalError, CandidateRejectedError } from '../../core/errors.js';
import { getApproval } from '../../stores/approvals.js';
import type { PipelineStep } from '../step.js';
import { STEP } from '../step-ids.js';
import { comparison } from '../headline.js';
import { evaluate } from './evaluate.js';
import { register } from './register.js';

const Result = z.object({
  verdict: z.enum(['approved', 'rejected']),
  actor: z.string(),
  reason: z.string(),
  atMs: z.number(),
});

export const approve: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.approve,
  summary: 'waits for a person to approve the promotion (deploy.approval: required)',
  needs: [STEP.evaluate, STEP.register],
  result: Result,
  when: (ctx) => ctx.line.deploy.approval === 'required',
  async run(ctx) {
    const approval = await getApproval(ctx.app.store, ctx.run.id);
    if (approval)
      return { verdict: approval.verdict, actor: approval.actor, reason: approval.reason, atMs: approval.atMs };
    const { version } = ctx.result(register);
    const e = ctx.result(evaluate);
    const numbers = comparison(e.candidate, e.champion, e.championVersion, ctx.line.gate);
    const id = ctx.run.id;
    throw new AwaitingApprovalError(
      `${ctx.line.name} v${version} is blessed (${numbers}) and awaits approval before promotion: ` +
        `\`refit approve ${id}\` or \`refit reject ${id} --reason TEXT\`, or POST /v1/runs/${id}/approve|reject`,
    );
  },
  stop(result, ctx) {
    if (result.verdict === 'approved') return null;
    const { version } = ctx.result(register);
    return new CandidateRejectedError(`${ctx.line.name} v${version} rejected by ${result.actor}: ${result.reason}`);
  },
};
