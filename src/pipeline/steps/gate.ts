/**
 * gate — the candidate against the rules (value and change thresholds against the champion on the
 * same rows, per-class floors, drift_share, business rules), each check with its reason. The
 * report is written as gate.json and gate.md and recorded as a bless or reject decision; a
 * rejection raises the budget's backoff (once per run) and ends the run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CandidateRejectedError } from '../../core/errors.js';
import {
  evaluateGate,
  gateMarkdown,
  NO_GATE,
  withChecks,
  withoutDriftShare,
  type GateReport,
} from '../../core/gate.js';
import { DRIFT_SHARE } from '../../core/metric-names.js';
import { metricLookup, type Metrics } from '../../ml/metrics/evaluate-rows.js';
import { recordCandidateOutcome } from '../../stores/candidate-outcome.js';
import { recordRunDecision } from '../../stores/decisions.js';
import type { PipelineStep, StepContext } from '../step.js';
import { STEP } from '../step-ids.js';
import { evaluate } from './evaluate.js';
import { reportsDir, validate } from './validate.js';

const Check = z.object({
  name: z.string(),
  kind: z.enum(['value', 'change', 'rule']),
  passed: z.boolean(),
  skipped: z.boolean(),
  candidate: z.number().nullable(),
  champion: z.number().nullable(),
  reason: z.string(),
});

const Result = z.object({ blessed: z.boolean(), checks: z.array(Check), summary: z.string() });

export const gate: PipelineStep<GateReport> = {
  id: STEP.gate,
  summary: 'applies the gate; records bless or reject with every check and its reason',
  needs: [STEP.validate, STEP.evaluate],
  result: Result,
  async run(ctx) {
    const { app, line, run } = ctx;
    const report = judge(ctx);
    const dir = reportsDir(ctx);
    const e = ctx.result(evaluate);
    const evaluation = { rows: e.rows, slices: e.slices, business_rules: e.rules };
    writeFileSync(join(dir, 'gate.json'), JSON.stringify({ ...report, evaluation }, null, 2) + '\n');
    writeFileSync(join(dir, 'gate.md'), gateMarkdown(report, `${line.name} candidate of ${run.id}`));
    if (report.checks.length === 0) ctx.log.warn(`${line.name}: ${NO_GATE}`);
    const action = report.blessed ? 'bless' : 'reject';
    const details = { gate: report, report: join(dir, 'gate.md') };
    const decision = {
      id: ctx.keys.decision(action),
      model: line.name,
      runId: run.id,
      action,
      actor: `run:${run.id}`,
      reason: report.summary,
      details,
      atMs: ctx.now(),
    } as const;
    const fresh = await recordRunDecision(app.store, decision);
    if (!report.blessed && fresh)
      await recordCandidateOutcome(app.store, line.name, 'rejected', line.budget.capacity, ctx.now());
    return report;
  },
  stop: (report) => (report.blessed ? null : new CandidateRejectedError(`candidate ${report.summary}`)),
};

function judge(ctx: StepContext): GateReport {
  const e = ctx.result(evaluate);
  const driftShare = ctx.result(validate).driftShare ?? null;
  // drift_share (new train split vs the champion's) is gate-able like a metric.
  const lookup = (m: Metrics) => (metric: string, cls?: string) =>
    metric === DRIFT_SHARE && cls === undefined ? driftShare : metricLookup(m)(metric, cls);
  const rules = ctx.line.gate;
  // Without a champion's training data there is nothing to drift from: those rules are skipped, and said so.
  const { judged, skipped } =
    driftShare === null
      ? withoutDriftShare(rules, 'there is no champion training data to compare with (first model)')
      : { judged: rules, skipped: [] };
  const candidate = e.candidate;
  const champion = e.champion;
  const base = evaluateGate(judged, lookup(candidate), champion ? lookup(champion) : null);
  return withChecks(base, [...skipped, ...e.ruleChecks]);
}
