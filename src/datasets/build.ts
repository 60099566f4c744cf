/**
 * Builds a dataset version for a model line from its unused evidence: every misclassified row,
 * a seeded stratified sample of correct rows (min(correct, floor(misclassified × ratio))), every
 * new labelled example, and — in `extend` mode — the previous version's rows within the window.
 * Deduplicated by input (the newest label wins), split deterministically, written immutably,
 * then recorded in one transaction that also marks the consumed evidence (so "since the last
 * dataset" restarts) — idempotent by `buildKey`.
 *
 * Memory stays bounded by the number of distinct inputs, not their size: the first pass keeps a
 * compact entry per input (hash key, label, time, id), the split works on those entries, and the
 * second pass fetches inputs again a page at a time while it writes the files.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pushDirectory } from '../integrations/hf-hub.js';
import { join } from 'node:path';
import type { AppContext } from '../app-context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { explainDiskFull } from '../core/disk-full.js';
import type { ModelLineConfig } from '../config/config.js';
import { linesOf, readLineAt, type LineAt } from './lines.js';
import {
  correctLabelCounts,
  exampleRows,
  inputsById,
  misclassifiedRows,
  sampleCorrectRows,
  type EvidenceRow,
} from '../stores/evidence-rows.js';
import { versionTag, type DatasetMetadata } from './metadata.js';
import { mulberry32 } from './random.js';
import { Candidates } from './candidates.js';
import { collectAfter, collectGarbage, GC_EVERY } from './low-memory.js';
import { stratifiedSplit, type SplitName } from './split.js';
import { publish, writeMetadata, SplitWriter, SPLITS, type DatasetRow } from './write-files.js';
import { findDataset, latestDataset, recordDataset, type DatasetRecord } from '../stores/datasets.js';
import type { Store } from '../stores/store.js';
import { championOf } from '../stores/aliases.js';
import { findVersion } from '../stores/versions.js';
import { isLocal } from './external/fetch-version.js';
import { reveal } from '../config/secret.js';

export interface BuildOptions {
  /** Idempotency key: a second build with the same key returns the first version. */
  buildKey?: string;
  /** Called with a short progress message per phase. */
  onProgress?: (msg: string) => void;
}

export interface BuildResult {
  dataset: DatasetRecord;
  /** false when an earlier build with the same key was returned. */
  created: boolean;
}

export async function buildDataset(app: AppContext, model: string, options: BuildOptions = {}): Promise<BuildResult> {
  const line = app.config.models[model];
  if (!line) throw new UsageError(`unknown model line "${model}": configured lines are ${lineNames(app)}`);
  if (options.buildKey) {
    const existing = await findDataset(app.store, model, { buildKey: options.buildKey });
    if (existing) return { dataset: existing, created: false };
  }
  const progress = options.onProgress ?? (() => {});
  const { rows, previous } = await collectCandidates(app, line, progress);

  progress('deduplicating and splitting');
  const winners = rows.winners(line.dataset.seed);
  if (winners.rows.length === 0) {
    throw new NotFoundError(
      `no rows for a dataset of "${model}": no unused misclassified feedback, examples or previous version ` +
        '(ingest feedback first)',
    );
  }
  const byLabel = line.task === 'tabular-regression' ? () => '' : (i: number) => rows.label(i);
  const split = stratifiedSplit(
    // Continuous labels are one group (each value would be a class of one, all sent to train).
    { rows: winners.rows, order: winners.order, label: byLabel, recent: (i) => rows.recent(i) },
    line.dataset.splits,
    line.dataset.recentTestShare,
  );

  const nowMs = app.clock.now();
  const tag = await freeTag(app, model, versionTag(nowMs));
  const dir = join(app.config.artifactsDir, 'datasets', model, tag);
  const writer = new SplitWriter(dir, line.task !== 'text-classification' ? [...rows.fields].sort() : null);
  let metadata: DatasetMetadata;
  try {
    const sha256 = await writeSplits(app, line.name, writer, rows, split, progress);
    metadata = describeVersion(line, { tag, nowMs, sha256, rows, winners: winners.rows, split, previous });
    writeMetadata(writer.tmp, metadata);
    publish(writer.tmp, dir);
  } catch (err) {
    // A half-written version would only take more space: it goes, and the error says where and why.
    writer.discard();
    throw explainDiskFull(err, `writing dataset version ${model}/${tag}`, app.config.artifactsDir);
  }

  progress('recording');
  const buildKey = options.buildKey ?? null;
  const version = { model, tag, buildKey, createdMs: nowMs, metadata, location: dir };
  const record = await recordDataset(app.store, version, rows.consumed());
  if (record.tag !== tag) {
    // Another process built this key first: ours is discarded, theirs is the version.
    rmSync(dir, { recursive: true, force: true });
    return { dataset: record, created: false };
  }
  return { dataset: record, created: true };
}

const lineNames = (app: AppContext) => Object.keys(app.config.models).join(', ');

/**
 * Pass 1: streams every candidate row once, keeping a compact column-wise entry per row and a
 * winner per distinct input; inputs are hashed and dropped.
 */
async function collectCandidates(app: AppContext, line: ModelLineConfig, progress: (msg: string) => void) {
  const model = line.name;
  const floor = line.evidence.minReviewerConfidence;
  const rows = new Candidates();
  const previous = line.dataset.mode === 'extend' ? await extendedVersion(app, model) : null;
  if (previous) {
    progress(`carrying over ${previous.tag}`);
    addCarried(rows, previous.location, line, app.clock.now());
  }
  progress('reading misclassified rows');
  let misclassified = 0;
  for await (const r of misclassifiedRows(app.store, model, floor)) (rows.add(r, r.input), misclassified++);
  collectAfter(misclassified);

  progress('sampling correct rows');
  const want = Math.floor(misclassified * line.evidence.correctRatio);
  const sampled = await sampleCorrect(app, line, want, progress);
  for (const r of sampled) rows.add(r, r.input);
  collectAfter(sampled.length);

  progress('reading labelled examples');
  let examples = 0;
  for await (const r of exampleRows(app.store, model)) (rows.add(r, r.input), examples++);
  collectAfter(examples);
  return { rows, previous };
}

/**
 * The version an `extend` build carries over: the champion's dataset — not a rejected
 * candidate's — else (no champion yet) the newest version.
 */
async function extendedVersion(app: AppContext, model: string): Promise<DatasetRecord | null> {
  const champion = await championOf(app.store, model);
  const v = champion === null ? null : await findVersion(app.store, model, champion);
  const tag = v?.datasetTag;
  const ofChampion = tag ? await findDataset(app.store, model, { tag }) : null;
  if (ofChampion && isLocal(ofChampion)) return ofChampion;
  const latest = await latestDataset(app.store, model);
  return latest && isLocal(latest) ? latest : null;
}

/** Pass 2: writes the splits one after another, fetching inputs again a page at a time. */
async function writeSplits(
  app: AppContext,
  model: string,
  writer: SplitWriter,
  rows: Candidates,
  split: Record<SplitName, number[]>,
  progress: (msg: string) => void,
): Promise<string> {
  for (const s of SPLITS) {
    progress(`writing ${s} (${split[s].length} rows)`);
    writer.begin(s);
    let n = 0;
    for await (const row of materialise(app.store, model, rows, split[s])) {
      writer.write(row);
      if (++n % GC_EVERY === 0) collectGarbage();
    }
  }
  return writer.finish();
}

interface VersionFacts {
  tag: string;
  nowMs: number;
  sha256: string;
  rows: Candidates;
  winners: number[];
  split: Record<SplitName, number[]>;
  previous: DatasetRecord | null;
}

/** The version's dataset_metadata.json: the third seed's fields plus how refit made it. */
function describeVersion(line: ModelLineConfig, v: VersionFacts): DatasetMetadata {
  const labels: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  for (const i of v.winners) {
    labels[v.rows.label(i)] = (labels[v.rows.label(i)] ?? 0) + 1;
    bySource[v.rows.source(i)] = (bySource[v.rows.source(i)] ?? 0) + 1;
  }
  const count = (s: string) => bySource[s] ?? 0;
  return {
    dataset_name: line.name,
    version_tag: v.tag,
    num_samples: v.winners.length,
    splits: { train: v.split.train.length, eval: v.split.eval.length, test: v.split.test.length },
    created_at: new Date(v.nowMs).toISOString(),
    content_sha256: v.sha256,
    refit: {
      model: line.name,
      mode: line.dataset.mode,
      seed: line.dataset.seed,
      sources: {
        misclassified: count('misclassified'),
        correct: count('correct'),
        example: count('example'),
        previous: count('previous'),
      },
      duplicates_dropped: v.rows.size - v.winners.length,
      previous_version: v.previous?.tag ?? null,
      labels,
    },
  };
}

/**
 * The rows of a split with their inputs, in id order within each source (so the look-ups read
 * the tables sequentially), a page at a time.
 */
async function* materialise(
  store: Store,
  model: string,
  rows: Candidates,
  split: number[],
): AsyncGenerator<DatasetRow> {
  const PAGE = 2000;
  const ids = rows.ids;
  split.sort((x, y) => rows.sourceRank(x) - rows.sourceRank(y) || (ids[x]! < ids[y]! ? -1 : ids[x]! > ids[y]! ? 1 : 0));
  for (let p = 0; p < split.length; p += PAGE) {
    const page = split.slice(p, p + PAGE).map((i) => ({ i, source: rows.source(i), id: rows.ids[i]! }));
    const inputs = new Map<number, string>();
    for await (const [r, input] of inputsById(
      store,
      model,
      page.filter((r) => r.source !== 'previous'),
    ))
      inputs.set(r.i, input);
    for (const { i, source, id } of page) {
      const at = rows.carried.get(i);
      const text = at ? readLineAt(at) : inputs.get(i);
      if (text === undefined)
        throw new Error(
          `the input of ${source} row ${id} of "${model}" disappeared during the dataset build; build again`,
        );
      yield {
        id,
        input: at ? JSON.parse(text).input : JSON.parse(text),
        label: rows.label(i),
        source,
        tsMs: rows.ts[i]!,
      };
    }
  }
}

/** Adds the previous version's rows inside the line's window, pointing back into its files. */
function addCarried(rows: Candidates, dir: string, line: ModelLineConfig, nowMs: number): void {
  const w = line.dataset.window;
  const kept: { id: string; label: string; tsMs: number; at: LineAt }[] = [];
  for (const s of SPLITS) {
    for (const [text, at] of linesOf(join(dir, `${s}.jsonl`))) {
      const r = JSON.parse(text);
      const row = { source: 'previous' as const, id: String(r.id), label: String(r.label), tsMs: Date.parse(r.ts) };
      if (w.kind === 'time') {
        if (row.tsMs >= nowMs - w.ms) rows.add(row, r.input, at);
      } else kept.push({ ...row, at });
    }
  }
  if (w.kind === 'time') return;
  kept.sort((a, b) => b.tsMs - a.tsMs || (a.id < b.id ? -1 : 1));
  for (const k of kept.slice(0, w.count))
    rows.add({ source: 'previous', id: k.id, label: k.label, tsMs: k.tsMs }, JSON.parse(readLineAt(k.at)).input, k.at);
}

async function sampleCorrect(
  app: AppContext,
  line: ModelLineConfig,
  k: number,
  progress: (msg: string) => void,
): Promise<EvidenceRow[]> {
  if (k <= 0) return [];
  const floor = line.evidence.minReviewerConfidence;
  const counts = await correctLabelCounts(app.store, line.name, floor);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const take = Math.min(k, total);
  // Largest-remainder quotas per label, so the sample keeps the labels' proportions.
  const labels = [...counts.keys()].sort();
  const exact = labels.map((l) => (counts.get(l)! * take) / total);
  const quota = exact.map(Math.floor);
  let left = take - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) if (left-- > 0) quota[i]!++;
  progress(`sampling ${take} of ${total} correct rows`);
  const out: EvidenceRow[] = [];
  for (const [i, l] of labels.entries()) {
    const n = counts.get(l)!;
    // The seed picks where the evenly spaced sample starts, per label.
    const offset = Math.floor(mulberry32(line.dataset.seed + i)() * n);
    out.push(...(await sampleCorrectRows(app.store, line.name, floor, l, n, quota[i]!, offset)));
  }
  return out;
}

async function freeTag(app: AppContext, model: string, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const tag = n === 1 ? base : `${base}_${n}`;
    const taken =
      (await findDataset(app.store, model, { tag })) ||
      existsSync(join(app.config.artifactsDir, 'datasets', model, tag));
    if (!taken) return tag;
  }
}

/**
 * Pushes a dataset version to the line's Hugging Face dataset repo: its files under `<tag>/`, and
 * its dataset_metadata.json at the root, where the third seed's readers poll it. Returns null when
 * the line has no dataset repo. A separate step from the build, so a failed push can be retried.
 */
export async function pushDatasetVersion(
  app: AppContext,
  model: string,
  tag: string,
  dir: string,
): Promise<{ repo: string; commits: (string | null)[] } | null> {
  const line = app.config.models[model]!;
  if (!line.hub.datasetRepo) return null;
  const repo = line.hub.datasetRepo;
  const a = await pushDirectory({
    hubUrl: app.config.hubUrl,
    token: reveal(line.hub.token),
    type: 'dataset',
    repo,
    dir,
    pathInRepo: tag,
    title: `refit: dataset ${tag}`,
  });
  const b = await pushDirectory({
    hubUrl: app.config.hubUrl,
    token: reveal(line.hub.token),
    type: 'dataset',
    repo,
    dir: metadataOnly(dir),
    pathInRepo: '',
    title: `refit: latest is ${tag}`,
  });
  return { repo, commits: [a.commitOid, b.commitOid] };
}

/** A temp directory holding only the version's dataset_metadata.json. */
function metadataOnly(dir: string): string {
  const tmp = mkdtempSync(join(tmpdir(), 'refit-meta-'));
  copyFileSync(join(dir, 'dataset_metadata.json'), join(tmp, 'dataset_metadata.json'));
  return tmp;
}

export function readMetadata(dir: string): DatasetMetadata {
  return JSON.parse(readFileSync(join(dir, 'dataset_metadata.json'), 'utf8'));
}

export { SPLITS };
