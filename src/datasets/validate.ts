/**
 * Dataset validation: every check runs and every failure is listed in words (fail fast means the
 * run stops on a failed report, not that checking stops at the first problem).
 * Checks: files and metadata (content hash), schema per task, label set, minimum samples per class,
 * duplicates within splits and leakage between them, null rates per input field, class balance,
 * and drift of the new train split against the previous version's (warning).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetMetadata } from './metadata.js';
import { SPLITS } from './write-files.js';
import { driftReport, type DriftReport } from '../ml/drift/report.js';
import type { SplitName } from './split.js';

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface ValidationCheck {
  name: string;
  status: CheckStatus;
  message: string;
}

export interface ValidationReport {
  dir: string;
  tag: string | null;
  passed: boolean;
  checks: ValidationCheck[];
  /** One sentence per failed check. */
  failures: string[];
  counts: Record<SplitName, number>;
  labels: Record<string, number>;
  /** Share of input columns drifted against the reference train split; null without a reference. */
  driftShare: number | null;
  /** The drift report of the train split against the reference (per column), when there was one. */
  drift: DriftReport | null;
}

export interface ValidationRules {
  task: 'text-classification' | 'tabular-classification' | 'tabular-regression';
  labels: string[] | null;
  minSamplesPerClass: number;
  maxNullRate: number;
  /** Train split of the version this one replaces, for the drift warning. */
  referenceDir?: string | null;
}

interface Row {
  id?: unknown;
  input?: unknown;
  label?: unknown;
}

export function validateDataset(dir: string, rules: ValidationRules): ValidationReport {
  const loaded = loadSplits(dir);
  const { rows } = loaded;
  const all = [...rows.train, ...rows.eval, ...rows.test];
  const labelCounts: Record<string, number> = {};
  for (const r of all) labelCounts[String(r.label)] = (labelCounts[String(r.label)] ?? 0) + 1;
  const metadata = readMetadataFile(dir);
  const checks: ValidationCheck[] = [
    ...filesChecks(dir, loaded),
    metadataCheck(metadata, all.length, loaded.sha256),
    schemaCheck(rows, rules.task),
    ...(rules.task !== 'tabular-regression' ? labelChecks(rows, labelCounts, rules) : []),
    ...sharedInputChecks(rows),
    nullRatesCheck(all, rules.maxNullRate),
  ];
  const drift = driftCheck(rules.referenceDir ?? null, rows.train);
  if (drift) checks.push(drift.check);
  const failures = checks.filter((c) => c.status === 'fail').map((c) => `${c.name}: ${c.message}`);
  return {
    dir,
    tag: metadata.value?.version_tag ?? null,
    passed: failures.length === 0,
    checks,
    failures,
    counts: { train: rows.train.length, eval: rows.eval.length, test: rows.test.length },
    labels: labelCounts,
    driftShare: drift?.report.driftShare ?? null,
    drift: drift?.report ?? null,
  };
}

const check = (name: string, status: CheckStatus, message: string): ValidationCheck => ({ name, status, message });

interface Loaded {
  rows: Record<SplitName, Row[]>;
  missing: SplitName[];
  badLines: string[];
  sha256: string;
}

function loadSplits(dir: string): Loaded {
  const rows: Record<SplitName, Row[]> = { train: [], eval: [], test: [] };
  const hash = createHash('sha256');
  const missing = SPLITS.filter((s) => !existsSync(join(dir, `${s}.jsonl`)));
  const badLines: string[] = [];
  for (const s of SPLITS) {
    if (missing.includes(s)) continue;
    const text = readFileSync(join(dir, `${s}.jsonl`), 'utf8');
    hash.update(text);
    text.split('\n').forEach((line, i) => {
      if (!line) return;
      try {
        const row = JSON.parse(line);
        // A line must be an object {id, input, label}: null, a number or an array is a bad line.
        if (row && typeof row === 'object' && !Array.isArray(row)) rows[s].push(row);
        else badLines.push(`${s}.jsonl:${i + 1}`);
      } catch {
        badLines.push(`${s}.jsonl:${i + 1}`);
      }
    });
  }
  return { rows, missing, badLines, sha256: hash.digest('hex') };
}

function filesChecks(dir: string, l: Loaded): ValidationCheck[] {
  const out: ValidationCheck[] = [];
  if (l.missing.length)
    out.push(check('files', 'fail', `missing ${l.missing.map((s) => `${s}.jsonl`).join(', ')} in ${dir}`));
  if (l.badLines.length) {
    const where = l.badLines.slice(0, 5).join(', ');
    out.push(check('files', 'fail', `${l.badLines.length} line(s) are not valid JSON: ${where}`));
  }
  return out;
}

function readMetadataFile(dir: string): { value: DatasetMetadata | null; problem: string | null } {
  const path = join(dir, 'dataset_metadata.json');
  if (!existsSync(path)) return { value: null, problem: 'dataset_metadata.json is missing' };
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')) as DatasetMetadata, problem: null };
  } catch (err) {
    return { value: null, problem: `dataset_metadata.json is not valid JSON: ${(err as Error).message}` };
  }
}

function metadataCheck(meta: { value: DatasetMetadata | null; problem: string | null }, total: number, sha: string) {
  const m = meta.value;
  if (!m) return check('metadata', 'fail', meta.problem!);
  const problems: string[] = [];
  for (const f of ['dataset_name', 'version_tag', 'num_samples', 'splits', 'created_at'] as const)
    if (m[f] === undefined) problems.push(`no "${f}"`);
  if (m.num_samples !== undefined && m.num_samples !== total)
    problems.push(`num_samples says ${m.num_samples}, the files hold ${total}`);
  if (m.content_sha256 && m.content_sha256 !== sha) {
    const theirs = m.content_sha256.slice(0, 12);
    problems.push(
      `content_sha256 ${theirs}… does not match the files (${sha.slice(0, 12)}…): the data changed after it was written`,
    );
  }
  if (problems.length) return check('metadata', 'fail', problems.join('; '));
  return check('metadata', 'pass', `version ${m.version_tag}, ${total} rows, content hash verified`);
}

function schemaCheck(rows: Record<SplitName, Row[]>, task: ValidationRules['task']): ValidationCheck {
  const problems: string[] = [];
  for (const s of SPLITS) rows[s].forEach((r, i) => problems.push(...rowProblems(r, `${s}.jsonl:${i + 1}`, task)));
  if (problems.length === 0) return check('schema', 'pass', `every row fits the ${task} schema`);
  const first = problems.slice(0, 5).join('; ');
  return check('schema', 'fail', `${problems.length} row(s) do not fit the ${task} schema: ${first}`);
}

function rowProblems(r: Row, where: string, task: ValidationRules['task']): string[] {
  const out: string[] = [];
  if (typeof r.id !== 'string' || !r.id) out.push(`${where}: id must be a non-empty string`);
  const input = r.input as Record<string, unknown> | undefined;
  if (!input || typeof input !== 'object' || Array.isArray(input)) out.push(`${where}: input must be an object`);
  else if (task === 'text-classification' && (typeof input.text !== 'string' || !input.text))
    out.push(`${where}: input.text must be a non-empty string for a text-classification line`);
  const regression = task === 'tabular-regression';
  const badLabel = regression
    ? !Number.isFinite(Number(r.label)) || r.label === '' || r.label === null
    : typeof r.label !== 'string' || r.label === '';
  if (badLabel)
    out.push(`${where}: label ${JSON.stringify(r.label)} is not ${regression ? 'a number' : 'a non-empty string'}`);
  return out;
}

function labelChecks(rows: Record<SplitName, Row[]>, labelCounts: Record<string, number>, rules: ValidationRules) {
  const out: ValidationCheck[] = [];
  if (rules.labels) {
    const known = rules.labels;
    const unknown = Object.keys(labelCounts).filter((l) => !known.includes(l));
    const which = unknown.map((l) => `"${l}" (${labelCounts[l]} rows)`).join(', ');
    out.push(
      unknown.length
        ? check('labels', 'fail', `unknown label(s) ${which}; the model line knows ${known.join(', ')}`)
        : check('labels', 'pass', `labels are within ${known.join(', ')}`),
    );
  }
  const train: Record<string, number> = {};
  for (const r of rows.train) train[String(r.label)] = (train[String(r.label)] ?? 0) + 1;
  const expected = rules.labels ?? Object.keys(labelCounts);
  const min = rules.minSamplesPerClass;
  const few = expected.filter((l) => (train[l] ?? 0) < min);
  const which = few.map((l) => `"${l}" (${train[l] ?? 0} < ${min})`).join(', ');
  out.push(
    few.length
      ? check(
          'min_samples_per_class',
          'fail',
          `too few train rows for ${which}: collect more labelled examples of these classes`,
        )
      : check('min_samples_per_class', 'pass', `every class has at least ${min} train rows`),
  );
  const counts = Object.values(labelCounts);
  const ratio = counts.length ? Math.min(...counts) / Math.max(...counts) : 1;
  const shown = Object.entries(labelCounts)
    .map(([l, n]) => `${l} ${n}`)
    .join(', ');
  out.push(
    check('class_balance', ratio < 0.05 ? 'warn' : 'pass', `smallest / largest class = ${ratio.toFixed(3)} (${shown})`),
  );
  return out;
}

/** Duplicates within a split and leakage between splits, by canonical input. */
function sharedInputChecks(rows: Record<SplitName, Row[]>): ValidationCheck[] {
  const keyOf = (r: Row) =>
    r.input && typeof r.input === 'object'
      ? JSON.stringify(r.input, Object.keys(r.input as object).sort())
      : String(r.input);
  const keys = Object.fromEntries(SPLITS.map((s) => [s, rows[s].map(keyOf)])) as Record<SplitName, string[]>;
  const dupes = SPLITS.map((s) => [s, keys[s].length - new Set(keys[s]).size] as const).filter(([, n]) => n > 0);
  const leaks: string[] = [];
  const pairs = [
    ['train', 'test'],
    ['train', 'eval'],
    ['eval', 'test'],
  ] as const;
  for (const [a, b] of pairs) {
    const set = new Set(keys[a]);
    const n = keys[b].filter((k) => set.has(k)).length;
    if (n) leaks.push(`${n} input(s) in both ${a} and ${b}`);
  }
  return [
    dupes.length
      ? check('duplicates', 'fail', `duplicate inputs within ${dupes.map(([s, n]) => `${s} (${n})`).join(', ')}`)
      : check('duplicates', 'pass', 'no duplicate inputs within a split'),
    leaks.length
      ? check('leakage', 'fail', `${leaks.join('; ')}: the holdout would overstate accuracy`)
      : check('leakage', 'pass', 'no input is shared between splits'),
  ];
}

function nullRatesCheck(all: Row[], maxNullRate: number): ValidationCheck {
  const fields = new Set<string>();
  for (const r of all) if (r.input && typeof r.input === 'object') for (const k of Object.keys(r.input)) fields.add(k);
  const nullRates = [...fields].map((f) => {
    const nulls = all.filter((r) => {
      const v = r.input && typeof r.input === 'object' ? (r.input as Record<string, unknown>)[f] : undefined;
      return v === null || v === undefined || v === '';
    }).length;
    return [f, all.length ? nulls / all.length : 0] as const;
  });
  const pct = (list: (readonly [string, number])[]) => list.map(([f, r]) => `${f} ${(r * 100).toFixed(1)}%`).join(', ');
  const high = nullRates.filter(([, rate]) => rate > maxNullRate);
  if (high.length) return check('null_rates', 'fail', `missing values above ${maxNullRate}: ${pct(high)}`);
  return check('null_rates', 'pass', `null rates ${pct(nullRates) || 'n/a'}`);
}

/** The inputs of a version's train split (what drift compares), or null without one. */
export function trainInputs(dir: string | null): Record<string, unknown>[] | null {
  if (!dir || !existsSync(join(dir, 'train.jsonl'))) return null;
  const rows: Record<string, unknown>[] = [];
  for (const line of readFileSync(join(dir, 'train.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    try {
      rows.push((JSON.parse(line).input ?? {}) as Record<string, unknown>);
    } catch {
      /* reported by the files check */
    }
  }
  return rows;
}

/** Drift of the train split against the reference version's (a warning, and the gate's drift_share). */
function driftCheck(referenceDir: string | null, train: Row[]): { check: ValidationCheck; report: DriftReport } | null {
  const ref = trainInputs(referenceDir);
  if (!ref) return null;
  const cur = train.map((r) => (r.input ?? {}) as Record<string, unknown>);
  if (!ref.length || !cur.length) return null;
  const d = driftReport(ref, cur);
  const drifted = d.columns.filter((c) => c.drift).map((c) => `${c.column} (${c.method} ${c.statistic.toFixed(3)})`);
  const list = drifted.length ? `: ${drifted.join(', ')}` : '';
  const message = `${d.driftedColumns} of ${d.testedColumns} input columns drifted against the previous version's train split${list}`;
  return { check: check('drift', d.datasetDrift ? 'warn' : 'pass', message), report: d };
}

export function validationMarkdown(r: ValidationReport): string {
  const icon = { pass: '✅', fail: '❌', warn: '⚠️' };
  return [
    `### Dataset validation ${r.tag ?? r.dir}: ${r.passed ? 'passed' : 'failed'}`,
    '',
    `train ${r.counts.train} · eval ${r.counts.eval} · test ${r.counts.test}`,
    '',
    '| check | status | details |',
    '|---|---|---|',
    ...r.checks.map((c) => `| ${c.name} | ${icon[c.status]} ${c.status} | ${c.message.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
}
