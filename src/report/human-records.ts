/** Human output of records: model versions, alias moves and their history, runs, training jobs, preparations. */
import Table from 'cli-table3';
import { formatDuration } from '../core/duration.js';
import type { AliasChange, ModelVersion } from '../registry/registry.js';
import type { AliasHistoryEntry } from '../stores/aliases.js';
import type { TrainingJob } from '../stores/jobs.js';
import type { Preparation } from '../stores/preparations.js';
import type { RunView } from '../stores/runs.js';

export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const plain = { head: [], border: [] };
const v = (n: number | null) => (n === null ? '—' : `v${n}`);

export function renderVersions(versions: ModelVersion[]): string {
  if (versions.length === 0) return 'no registered versions yet';
  const t = new Table({ head: ['model', 'version', 'aliases', 'created', 'dataset', 'sha256', 'size'], style: plain });
  for (const x of versions) {
    const row = [x.model, `v${x.version}`, x.aliases.join(', '), iso(x.createdMs), x.datasetTag ?? ''];
    t.push([...row, x.artifact.sha256.slice(0, 12), x.artifact.size]);
  }
  return t.toString();
}

export function renderVersion(x: ModelVersion): string {
  const aliases = x.aliases.length ? ` (${x.aliases.join(', ')})` : '';
  return [
    `${x.model} v${x.version}${aliases} registered ${iso(x.createdMs)} by ${x.actor}`,
    `  artifact ${x.artifact.uri} (${x.artifact.size} bytes, sha256 ${x.artifact.sha256})`,
    `  dataset ${x.datasetTag ?? '—'} · run ${x.runId ?? '—'}`,
    `  metrics ${JSON.stringify(x.metrics)}`,
    `  tags ${JSON.stringify(x.tags)}`,
  ].join('\n');
}

export function renderAliasChange(c: AliasChange): string {
  if (!c.changed) return `${c.model}: nothing to do — ${c.reason}`;
  const moves = c.moves.map((m) => `${m.alias} ${v(m.from)} → ${v(m.to)}`).join(', ');
  return `${c.model}: ${c.action}: ${moves} (${c.reason})`;
}

export function renderAliasHistory(model: string, history: AliasHistoryEntry[]): string {
  if (history.length === 0) return `${model}: no alias moves yet`;
  const t = new Table({ head: ['#', 'when', 'alias', 'from', 'to', 'action', 'by', 'why'], style: plain });
  for (const h of history) t.push([h.seq, iso(h.atMs), h.alias, v(h.from), v(h.to), h.action, h.actor, h.reason]);
  return t.toString();
}

export function renderRuns(runs: RunView[], detail: boolean): string {
  if (runs.length === 0) return 'no runs yet';
  if (detail) return renderRun(runs[0]!);
  const t = new Table({
    head: ['run', 'model', 'state', 'created', 'outcome'],
    colWidths: [26, 12, 11, 26, 70],
    wordWrap: true,
    style: plain,
  });
  for (const r of runs) {
    const waiting = r.state === 'waiting' && r.nextCheckMs ? `next check ${iso(r.nextCheckMs)}` : '';
    t.push([r.id, r.model, r.state, iso(r.createdMs), r.outcome ?? waiting]);
  }
  return t.toString();
}

function renderRun(r: RunView): string {
  const lines = [`${r.id} ${r.model}: ${r.state}`, `  why: ${r.reason}`];
  for (const s of r.steps ?? []) {
    const dur = s.startedMs !== null && s.finishedMs !== null ? formatDuration(s.finishedMs - s.startedMs) : '…';
    const attempts = s.attempts > 1 ? ` (${s.attempts} attempts)` : '';
    lines.push(`  ${s.step.padEnd(9)} ${s.state.padEnd(9)} ${dur.padEnd(8)}${attempts}${s.error ? ` ${s.error}` : ''}`);
  }
  if (r.outcome) lines.push(`  outcome: ${r.outcome}`);
  return lines.join('\n');
}

export function renderTraining(j: TrainingJob, evaluation: string, version: ModelVersion | null): string {
  const secs = j.finishedMs ? ((j.finishedMs - j.startedMs) / 1000).toFixed(1) : '?';
  const code = j.codeVersion ? `, code ${j.codeVersion.slice(0, 12)}` : '';
  return [
    `trained ${j.model} on ${j.datasetTag} with the ${j.executor} executor in ${secs}s (job ${j.id}${code})`,
    `  params ${JSON.stringify(j.params)} · output ${j.outputDir}`,
    j.reportedMetrics
      ? `  the trainer reported ${JSON.stringify(j.reportedMetrics)} (kept, not used for decisions)`
      : '',
    "refit's evaluation on the test split:",
    evaluation,
    version ? `registered ${version.model} v${version.version} (sha256 ${version.artifact.sha256.slice(0, 12)}…)` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderPreparation(p: Preparation): string {
  const open = p.state === 'waiting' || p.state === 'pending';
  const next = open ? `; next check ${iso(p.nextCheckMs)} (run the command again, or pass --wait)` : '';
  return `${p.model}: external preparation ${p.key} ${p.state}: ${p.status ?? ''}${next}`;
}
