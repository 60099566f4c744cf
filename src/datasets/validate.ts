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
import { driftReport } from '../ml/drift/report.js';
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
  const checks: ValidationCheck[] = [];
  const add = (name: string, status: CheckStatus, message: string) => checks.push({ name, status, message });
  const rows: Record<SplitName, Row[]> = { train: [], eval: [], test: [] };
  const hash = createHash('sha256');
  let metadata: DatasetMetadata | null = null;

  const missing = SPLITS.filter((s) => !existsSync(join(dir, `${s}.jsonl`)));
  if (missing.length) add('files', 'fail', `missing ${missing.map((s) => `${s}.jsonl`).join(', ')} in ${dir}`);
  const badLines: string[] = [];
  for (const s of SPLITS) {
    if (missing.includes(s)) continue;
    const text = readFileSync(join(dir, `${s}.jsonl`), 'utf8');
    hash.update(text);
    text.split('\n').forEach((line, i) => {
      if (!line) return;
      try {
        rows[s].push(JSON.parse(line));
      } catch {
        badLines.push(`${s}.jsonl:${i + 1}`);
      }
    });
  }
  if (badLines.length)
    add('files', 'fail', `${badLines.length} line(s) are not valid JSON: ${badLines.slice(0, 5).join(', ')}`);
  const metaPath = join(dir, 'dataset_metadata.json');
  if (!existsSync(metaPath)) add('metadata', 'fail', 'dataset_metadata.json is missing');
  else {
    try {
      metadata = JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetMetadata;
      const problems: string[] = [];
      for (const f of ['dataset_name', 'version_tag', 'num_samples', 'splits', 'created_at'] as const)
        if (metadata[f] === undefined) problems.push(`no "${f}"`);
      const total = rows.train.length + rows.eval.length + rows.test.length;
      if (metadata.num_samples !== undefined && metadata.num_samples !== total)
        problems.push(`num_samples says ${metadata.num_samples}, the files hold ${total}`);
      const sha = hash.digest('hex');
      if (metadata.content_sha256 && metadata.content_sha256 !== sha)
        problems.push(
          `content_sha256 ${metadata.content_sha256.slice(0, 12)}… does not match the files (${sha.slice(0, 12)}…): the data changed after it was written`,
        );
      add(
        'metadata',
        problems.length ? 'fail' : 'pass',
        problems.length ? problems.join('; ') : `version ${metadata.version_tag}, ${total} rows, content hash verified`,
      );
    } catch (err) {
      add('metadata', 'fail', `dataset_metadata.json is not valid JSON: ${(err as Error).message}`);
    }
  }

  // Schema per task.
  const schemaProblems: string[] = [];
  for (const s of SPLITS) {
    rows[s].forEach((r, i) => {
      const where = `${s}.jsonl:${i + 1}`;
      if (typeof r.id !== 'string' || !r.id) schemaProblems.push(`${where}: id must be a non-empty string`);
      if (!r.input || typeof r.input !== 'object' || Array.isArray(r.input))
        schemaProblems.push(`${where}: input must be an object`);
      else if (
        rules.task === 'text-classification' &&
        (typeof (r.input as Record<string, unknown>).text !== 'string' || !(r.input as Record<string, unknown>).text)
      )
        schemaProblems.push(`${where}: input.text must be a non-empty string for a text-classification line`);
      if (
        rules.task === 'tabular-regression'
          ? !Number.isFinite(Number(r.label)) || r.label === ''
          : typeof r.label !== 'string' || r.label === ''
      )
        schemaProblems.push(
          `${where}: label ${JSON.stringify(r.label)} is not ${rules.task === 'tabular-regression' ? 'a number' : 'a non-empty string'}`,
        );
    });
  }
  add(
    'schema',
    schemaProblems.length ? 'fail' : 'pass',
    schemaProblems.length
      ? `${schemaProblems.length} row(s) do not fit the ${rules.task} schema: ${schemaProblems.slice(0, 5).join('; ')}`
      : `every row fits the ${rules.task} schema`,
  );

  const all = [...rows.train, ...rows.eval, ...rows.test];
  const labelCounts: Record<string, number> = {};
  for (const r of all) labelCounts[String(r.label)] = (labelCounts[String(r.label)] ?? 0) + 1;
  const classification = rules.task !== 'tabular-regression';

  if (classification && rules.labels) {
    const unknown = Object.keys(labelCounts).filter((l) => !rules.labels!.includes(l));
    add(
      'labels',
      unknown.length ? 'fail' : 'pass',
      unknown.length
        ? `unknown label(s) ${unknown.map((l) => `"${l}" (${labelCounts[l]} rows)`).join(', ')}; the model line knows ${rules.labels.join(', ')}`
        : `labels are within ${rules.labels.join(', ')}`,
    );
  }

  if (classification) {
    const train: Record<string, number> = {};
    for (const r of rows.train) train[String(r.label)] = (train[String(r.label)] ?? 0) + 1;
    const expected = rules.labels ?? Object.keys(labelCounts);
    const few = expected.filter((l) => (train[l] ?? 0) < rules.minSamplesPerClass);
    add(
      'min_samples_per_class',
      few.length ? 'fail' : 'pass',
      few.length
        ? `too few train rows for ${few.map((l) => `"${l}" (${train[l] ?? 0} < ${rules.minSamplesPerClass})`).join(', ')}: collect more labelled examples of these classes`
        : `every class has at least ${rules.minSamplesPerClass} train rows`,
    );
    const counts = Object.values(labelCounts);
    const ratio = counts.length ? Math.min(...counts) / Math.max(...counts) : 1;
    add(
      'class_balance',
      ratio < 0.05 ? 'warn' : 'pass',
      `smallest / largest class = ${ratio.toFixed(3)} (${Object.entries(labelCounts)
        .map(([l, n]) => `${l} ${n}`)
        .join(', ')})`,
    );
  }

  // Duplicates within a split and leakage between splits, by canonical input.
  const keysOf = (list: Row[]) =>
    list.map((r) =>
      r.input && typeof r.input === 'object'
        ? JSON.stringify(r.input, Object.keys(r.input as object).sort())
        : String(r.input),
    );
  const keySets = Object.fromEntries(SPLITS.map((s) => [s, keysOf(rows[s])])) as Record<SplitName, string[]>;
  const dupes = SPLITS.map((s) => [s, keySets[s].length - new Set(keySets[s]).size] as const).filter(([, n]) => n > 0);
  add(
    'duplicates',
    dupes.length ? 'fail' : 'pass',
    dupes.length
      ? `duplicate inputs within ${dupes.map(([s, n]) => `${s} (${n})`).join(', ')}`
      : 'no duplicate inputs within a split',
  );
  const leaks: string[] = [];
  for (const [a, b] of [
    ['train', 'test'],
    ['train', 'eval'],
    ['eval', 'test'],
  ] as const) {
    const set = new Set(keySets[a]);
    const n = keySets[b].filter((k) => set.has(k)).length;
    if (n) leaks.push(`${n} input(s) in both ${a} and ${b}`);
  }
  add(
    'leakage',
    leaks.length ? 'fail' : 'pass',
    leaks.length ? `${leaks.join('; ')}: the holdout would overstate accuracy` : 'no input is shared between splits',
  );

  // Null rates per input field.
  const fields = new Set<string>();
  for (const r of all) if (r.input && typeof r.input === 'object') for (const k of Object.keys(r.input)) fields.add(k);
  const nullRates = [...fields].map((f) => {
    const nulls = all.filter((r) => {
      const v = r.input && typeof r.input === 'object' ? (r.input as Record<string, unknown>)[f] : undefined;
      return v === null || v === undefined || v === '';
    }).length;
    return [f, all.length ? nulls / all.length : 0] as const;
  });
  const high = nullRates.filter(([, rate]) => rate > rules.maxNullRate);
  add(
    'null_rates',
    high.length ? 'fail' : 'pass',
    high.length
      ? `missing values above ${rules.maxNullRate}: ${high.map(([f, r]) => `${f} ${(r * 100).toFixed(1)}%`).join(', ')}`
      : `null rates ${nullRates.map(([f, r]) => `${f} ${(r * 100).toFixed(1)}%`).join(', ') || 'n/a'}`,
  );

  let driftShare: number | null = null;
  if (rules.referenceDir && existsSync(join(rules.referenceDir, 'train.jsonl'))) {
    const ref = readFileSync(join(rules.referenceDir, 'train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).input as Record<string, unknown>);
    const cur = rows.train.map((r) => (r.input ?? {}) as Record<string, unknown>);
    if (ref.length && cur.length) {
      const d = driftReport(ref, cur);
      driftShare = d.driftShare;
      const drifted = d.columns
        .filter((c) => c.drift)
        .map((c) => `${c.column} (${c.method} ${c.statistic.toFixed(3)})`);
      add(
        'drift',
        d.datasetDrift ? 'warn' : 'pass',
        `${d.driftedColumns} of ${d.testedColumns} input columns drifted against the previous version's train split${drifted.length ? `: ${drifted.join(', ')}` : ''}`,
      );
    }
  }

  const failures = checks.filter((c) => c.status === 'fail').map((c) => `${c.name}: ${c.message}`);
  return {
    dir,
    tag: metadata?.version_tag ?? null,
    passed: failures.length === 0,
    checks,
    failures,
    counts: { train: rows.train.length, eval: rows.eval.length, test: rows.test.length },
    labels: labelCounts,
    driftShare,
  };
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
