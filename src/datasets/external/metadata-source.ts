/**
 * Where an external preparer publishes a version: `dataset_metadata.json` (a URL, or a file in a
 * Hugging Face dataset repo at a revision) and, beside it, the version's split files. The split
 * files follow refit's own layout when it pushes a version: `<version_tag>/train.jsonl`,
 * `eval.jsonl`, `test.jsonl` next to the metadata — or where the metadata's `files` says.
 */
import { snippet } from '../../integrations/answer.js';
import type { PreparePolicy, RefitConfig } from '../../config/config.js';
import { UsageError } from '../../core/errors.js';
import { httpCall, type HttpOutcome } from '../../integrations/http.js';
import type { DatasetMetadata } from '../metadata.js';

export function metadataUrl(policy: PreparePolicy, config: Pick<RefitConfig, 'hubUrl'>): string {
  const m = policy.metadata;
  if (!m) throw new UsageError('external preparation needs prepare.metadata');
  if (m.kind === 'url') return m.url;
  const path = m.path.split('/').map(encodeURIComponent).join('/');
  return `${config.hubUrl}/datasets/${m.dataset}/resolve/${encodeURIComponent(m.revision)}/${path}`;
}

/** The URL of a file of the version, relative to the metadata file (`<tag>/train.jsonl`). */
export function versionFileUrl(policy: PreparePolicy, config: Pick<RefitConfig, 'hubUrl'>, path: string): string {
  const base = metadataUrl(policy, config);
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return new URL(encoded, base).toString();
}

export type MetadataRead =
  | { kind: 'metadata'; metadata: DatasetMetadata }
  | { kind: 'invalid'; message: string }
  | Exclude<HttpOutcome, { kind: 'ok' }>;

export async function readMetadata(policy: PreparePolicy, config: RefitConfig, nowMs: number): Promise<MetadataRead> {
  const res = await httpCall(
    {
      method: 'GET',
      url: metadataUrl(policy, config),
      token: policy.token?.value ?? null,
      timeoutMs: policy.poll.requestTimeout,
      headers: { 'cache-control': 'no-cache' },
    },
    nowMs,
  );
  if (res.kind !== 'ok') return res;
  const at = res.where ?? 'the metadata URL';
  let m: Partial<DatasetMetadata> | null;
  try {
    m = JSON.parse(res.body) as Partial<DatasetMetadata> | null;
  } catch {
    return { kind: 'invalid', message: `dataset_metadata.json is not valid JSON (${at}: "${snippet(res.body)}")` };
  }
  if (!m || typeof m !== 'object' || typeof m.version_tag !== 'string' || typeof m.num_samples !== 'number') {
    return {
      kind: 'invalid',
      message: `dataset_metadata.json lacks a string "version_tag" or a numeric "num_samples" (${at}: "${snippet(m)}")`,
    };
  }
  return { kind: 'metadata', metadata: m as DatasetMetadata };
}

/** "restart of Space owner/prepare", "workflow prepare.yml in acme/data@main", ... */
export function describePreparer(policy: PreparePolicy): string {
  switch (policy.kind) {
    case 'hf-space':
      return `${policy.factory ? 'factory rebuild' : 'restart'} of Space ${policy.space}`;
    case 'github-workflow':
      return `workflow ${policy.workflow} in ${policy.repo}@${policy.ref}`;
    case 'webhook':
      return `webhook ${new URL(policy.url.value).host}`;
    case 'command':
      return `command ${policy.command[0]}`;
    case 'builtin':
      return 'builtin';
  }
}
