/**
 * rollback — after a failed verification: the champion goes back to `previous`, but only while the
 * version this run deployed is still champion (another instance or the monitor may have moved it
 * already); recorded as a decision with the verification's numbers. The run then ends failed,
 * rolled back.
 */
import { z } from 'zod';
import { RolledBackError } from '../../core/errors.js';
import { rollback as rollbackAlias } from '../../registry/registry.js';
import { recordRunDecision } from '../../stores/decisions.js';
import type { PipelineStep } from '../step.js';
import { STEP } from '../step-ids.js';
import { register } from './register.js';
import { verify } from './verify.js';

const Result = z.object({ to: z.number().nullable(), detail: z.string() });

export const rollback: PipelineStep<z.infer<typeof Result>> = {
  id: STEP.rollback,
  summary: 'rolls back to the previous champion when verification failed',
  needs: [STEP.register, STEP.verify],
  result: Result,
  when: (ctx) => !ctx.result(verify).passed,
  async run(ctx) {
    const { app, line, run } = ctx;
    const { version } = ctx.result(register);
    const verification = ctx.result(verify);
    const reason = `verification of v${version} failed: ${verification.reason}`;
    const change = await rollbackAlias(app, line.name, `run:${run.id}`, reason, { expectChampion: version }).catch(
      (err: Error) => ({ changed: false, moves: [], reason: err.message }),
    );
    if (!change.changed) return { to: null, detail: `not rolled back: ${change.reason}` };
    const to = change.moves[0]?.to ?? null;
    await recordRunDecision(app.store, {
      id: ctx.keys.decision('rollback'),
      model: line.name,
      runId: run.id,
      action: 'rollback',
      actor: `run:${run.id}`,
      reason,
      details: { moves: change.moves, verification },
      atMs: ctx.now(),
    });
    return { to, detail: `rolled back to v${to}` };
  },
  stop(result, ctx) {
    const { version } = ctx.result(register);
    const v = ctx.result(verify);
    const target = ctx.line.deploy.target;
    return new RolledBackError(
      `${ctx.line.name} v${version} failed verification on ${target} (${v.reason}); ${result.detail}`,
    );
  },
};
