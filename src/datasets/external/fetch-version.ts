/**
 * Fetching an externally prepared version's split files so refit can train on it (builtin and
 * command executors), validate it and always evaluate candidates on its test split itself. The
 * files are read from where the preparer published the metadata — `<version_tag>/<split>.jsonl`
 * (refit's own layout), else `<split>.jsonl` beside the metadata, or the metadata's `files` — and
 * verified: the sha256 over train, eval and test must equal the metadata's `content_sha256`, and
 * the row counts its `splits`. A verified version is kept under artifacts/datasets/<model>/<tag>/.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { explainDiskFull } from '../../core/disk-full.js';
import { join } from 'node:path';
import type { AppContext } from '../../app-context.js';
import type { ModelLineConfig } from '../../config/config.js';
import { DatasetInvalidError, UpstreamRejectedError, UsageError } from '../../core/errors.js';
import { httpCall, upstreamError } from '../../integrations/http.js';
import { setDatasetLocation, type DatasetRecord } from '../../stores/datasets.js';
import type { SplitName } from '../split.js';
import { publish, SPLITS, writeMetadata } from '../write-files.js';
import { versionFileUrl } from './metadata-source.js';

const TIMEOUT_MS = 120_000;

/** Whether a version's files are on this machine. */
export function isLocal(d: DatasetRecord): boolean {
  return existsSync(join(d.location, 'train.jsonl'));
}

/** The version with its files on this machine: fetched and verified first when they are not. */
export async function localVersion(app: AppContext, line: ModelLineConfig, d: DatasetRecord): Promise<DatasetRecord> {
  if (isLocal(d)) return d;
  if (line.prepare.kind === 'builtin') {
    throw new UsageError(
      `dataset ${d.tag} of ${line.name} has no files at ${d.location} and no preparer to fetch them from`,
    );
  }
  const texts = {} as Record<SplitName, string>;
  const sources: string[] = [];
  for (const split of SPLITS) {
    const got = await fetchSplit(app, line, d, split);
    texts[split] = got.text;
    sources.push(got.url);
  }
  verify(d, texts, sources);
  const dir = join(app.config.artifactsDir, 'datasets', line.name, d.tag);
  if (!existsSync(join(dir, 'train.jsonl'))) {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      mkdirSync(tmp, { recursive: true });
      for (const split of SPLITS) writeFileSync(join(tmp, `${split}.jsonl`), texts[split]);
      writeMetadata(tmp, { ...d.metadata, fetched_from: sources });
      publish(tmp, dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw explainDiskFull(err, `storing dataset version ${line.name}/${d.tag}`, app.config.artifactsDir);
    }
  }
  await setDatasetLocation(app.store, line.name, d.tag, dir);
  return { ...d, location: dir };
}

/** Candidate paths of a split, most specific first. */
function splitPaths(d: DatasetRecord, split: SplitName): string[] {
  const files = (d.metadata as { files?: Partial<Record<SplitName, string>> }).files;
  if (files?.[split]) return [files[split]!];
  return [`${d.tag}/${split}.jsonl`, `${split}.jsonl`];
}

async function fetchSplit(app: AppContext, line: ModelLineConfig, d: DatasetRecord, split: SplitName) {
  const policy = line.prepare;
  const tried: string[] = [];
  for (const path of splitPaths(d, split)) {
    const url = versionFileUrl(policy, app.config, path);
    tried.push(url);
    const token = policy.token?.value ?? null;
    const res = await httpCall({ method: 'GET', url, token, timeoutMs: TIMEOUT_MS }, app.clock.now());
    if (res.kind === 'ok') return { text: res.body, url };
    if (res.kind !== 'not_found') throw upstreamError(res, `fetching the ${split} split of ${d.tag}`);
  }
  throw new UpstreamRejectedError(
    `dataset ${d.tag} of ${line.name}: the preparer published its dataset_metadata.json but no ${split} split ` +
      `(tried ${tried.join(', ')}); publish ${d.tag}/${split}.jsonl beside the metadata, or name the files in ` +
      'its "files": {"train", "eval", "test"}',
  );
}

function verify(d: DatasetRecord, texts: Record<SplitName, string>, sources: string[]): void {
  const where = `dataset ${d.tag} (${sources[0]} …)`;
  const expected = d.metadata.content_sha256;
  if (expected) {
    const hash = createHash('sha256');
    for (const split of SPLITS) hash.update(texts[split]);
    const actual = hash.digest('hex');
    if (actual !== expected) {
      throw new DatasetInvalidError(
        `${where}: the split files' sha256 ${actual} differs from content_sha256 ${expected} in its metadata ` +
          '(a partial upload, or files of another version)',
      );
    }
  }
  const counts = d.metadata.splits as Partial<Record<SplitName, number>> | undefined;
  for (const split of SPLITS) {
    const rows = texts[split].split('\n').filter((l) => l.trim()).length;
    const want = counts?.[split];
    if (typeof want === 'number' && want !== rows) {
      throw new DatasetInvalidError(`${where}: ${split} has ${rows} rows, its metadata says ${want}`);
    }
  }
  if (!expected && !counts) {
    throw new DatasetInvalidError(
      `${where}: its metadata has neither content_sha256 nor splits to verify the files with`,
    );
  }
}
