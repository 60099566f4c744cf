/**
 * verify — the deployment answers: the target's health URL (the run waits, parked, until it is
 * healthy or `verify.timeout` passed), then sanity requests whose answers must equal what the
 * candidate predicted for those holdout rows at evaluation. A failed verification is not an error
 * of this step: its result says so and the rollback step follows.
 */
import { z } from 'zod';
import { WaitError } from '../../core/errors.js';
import { checkHealth, sanityCheck } from '../../deploy/verify.js';
import type { PipelineStep } from '../step.js';
import { STEP } from '../step-ids.js';
import { deploy } from './deploy.js';
import { evaluate } from './evaluate.js';
import { register } from './register.js';

const Result = z.object({
  passed: z.boolean(),
  reason: z.string(),
  agreed: z.number().optional(),
  sent: z.number().optional(),
});

const HEALTH_RECHECK_MS = 5000;

export const verify: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.verify,
  summary: 'checks the health URL and sanity answers of the deployment',
  needs: [STEP.evaluate, STEP.register, STEP.deploy],
  result: Result,
  async run(ctx) {
    const { app, line } = ctx;
    const { version } = ctx.result(register);
    const health = await checkHealth(app, line.name);
    if (!health.ok) {
      const deadline = ctx.result(deploy).atMs + line.deploy.verify.timeout;
      const target = line.deploy.target;
      if (ctx.now() < deadline) {
        const why = `waiting for ${line.name} v${version} on ${target} to become healthy: ${health.detail}`;
        throw new WaitError(Math.min(deadline, ctx.now() + HEALTH_RECHECK_MS), why);
      }
      const seconds = Math.round(line.deploy.verify.timeout / 1000);
      return { passed: false, reason: `${target} did not become healthy within ${seconds} s: ${health.detail}` };
    }
    const s = await sanityCheck(app, line.name, version, ctx.result(evaluate).sanity);
    return { passed: s.passed, reason: s.reason, agreed: s.agreed, sent: s.sent };
  },
};
