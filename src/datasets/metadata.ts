/** `dataset_metadata.json`: the third seed's shape plus a content hash, and version tags. */

export interface DatasetMetadata {
  dataset_name: string;
  version_tag: string;
  num_samples: number;
  splits: { train: number; eval: number; test: number };
  created_at: string;
  content_sha256: string;
  /** refit's additions: how the version was made. */
  refit?: {
    model: string;
    mode: 'extend' | 'evidence-only';
    seed: number;
    sources: { misclassified: number; correct: number; example: number; previous: number };
    duplicates_dropped: number;
    previous_version: string | null;
    labels: Record<string, number>;
  };
}

/** `vYYYYMMDD_HHMMSS` in UTC. */
export function versionTag(ms: number): string {
  const iso = new Date(ms).toISOString();
  const date = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  const time = `${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `v${date}_${time}`;
}
