// Decision quality: the demo's replay of production (bench/../src/demo, three simulated years of
// SpamAssassin and seattle-weather traffic, no injected faults) scored for refit's own policy —
// trigger rules with hysteresis and the adaptive retrain budget — against fixed policies: never
// retrain; retrain every N events of a line; retrain on every trigger without a budget. Score:
// mean online accuracy over the replay (every served request against its true label) against the
// number of retrains, per line. Goal: refit within 2 points of the best fixed policy's accuracy
// with at most a quarter of its retrains.
// Usage: node bench/decision-quality.mjs [POLICY...]   (default: refit never every:100 every:250 every:500 every:1000 no-budget)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replay } from '../dist/demo/replay.js';
import { buildScenario } from '../dist/demo/scenario.js';

const policies = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['refit', 'never', 'every:100', 'every:250', 'every:500', 'every:1000', 'no-budget'];
const scenario = buildScenario();
const lines = {};
for (const policy of policies) {
  const dir = mkdtempSync(join(tmpdir(), 'refit-dq-'));
  const r = await replay({ dir, scenario, policy, injections: false });
  rmSync(dir, { recursive: true, force: true });
  for (const l of Object.values(r.lines)) {
    (lines[l.model] ??= []).push({ policy, retrains: l.retrains, mean_accuracy: +l.meanAccuracy.toFixed(4) });
  }
  process.stderr.write(
    `${policy}: ${Object.values(r.lines)
      .map((l) => `${l.model} ${l.retrains} retrains, ${(l.meanAccuracy * 100).toFixed(2)}%`)
      .join('; ')} (${(r.elapsedMs / 1000).toFixed(0)} s)\n`,
  );
}

const verdicts = {};
for (const [model, rows] of Object.entries(lines)) {
  console.log(`\n${model}`);
  console.table(rows);
  const ours = rows.find((r) => r.policy === 'refit');
  const fixed = rows.filter((r) => r.policy !== 'refit');
  if (!ours || fixed.length === 0) continue;
  const best = fixed.reduce((a, b) =>
    b.mean_accuracy > a.mean_accuracy || (b.mean_accuracy === a.mean_accuracy && b.retrains < a.retrains) ? b : a,
  );
  const gap = (best.mean_accuracy - ours.mean_accuracy) * 100;
  const share = best.retrains ? ours.retrains / best.retrains : Infinity;
  verdicts[model] = {
    best: best.policy,
    accuracy_gap_points: +gap.toFixed(2),
    retrain_share: +share.toFixed(2),
    goal_met: gap <= 2 && share <= 0.25,
  };
  console.log(
    `${model}: best fixed policy ${best.policy} (${(best.mean_accuracy * 100).toFixed(2)}%, ${best.retrains} retrains); ` +
      `refit ${(ours.mean_accuracy * 100).toFixed(2)}% with ${ours.retrains} retrains: ${gap.toFixed(2)} points behind, ` +
      `${(share * 100).toFixed(0)}% of its retrains — goal (≤ 2 points, ≤ 25%) ${verdicts[model].goal_met ? 'met' : 'missed'}`,
  );
}
console.log(JSON.stringify({ bench: 'decision-quality', lines, verdicts }));
