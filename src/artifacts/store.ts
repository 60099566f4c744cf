/**
 * The artifact store port and its choice by URI: `file:DIR` (default) or `s3://BUCKET/PREFIX`
 * (any S3-compatible service; endpoint from `s3_endpoint`, `AWS_ENDPOINT_URL_S3` or
 * `AWS_ENDPOINT_URL`, credentials from the AWS SDK's usual chain).
 */
import type { RefitConfig } from '../config/config.js';
import { FileArtifactStore, type StoredArtifact } from './file-store.js';
import { S3ArtifactStore } from './s3-store.js';

export interface ArtifactStore {
  /** Copies a file or directory in as `model` version `version`; the hash is of the source. */
  put(model: string, version: number, source: string): Promise<StoredArtifact>;
  /** A local path to the artifact after verifying its sha256 (ArtifactIntegrityError otherwise). */
  open(uri: string, sha256: string): Promise<string>;
}

export function artifactStoreFor(config: RefitConfig): ArtifactStore {
  if (config.artifacts.startsWith('s3://'))
    return new S3ArtifactStore(config.artifacts, {
      endpoint: config.s3Endpoint,
      region: config.s3Region,
      credentials: config.s3Credentials,
      cacheDir: config.artifactsDir,
    });
  return new FileArtifactStore(config.artifactsDir);
}
