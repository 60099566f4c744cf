/**
 * One S3 client per store, from the config's endpoint, region and credentials (path-style for an
 * S3-compatible endpoint such as MinIO). The AWS SDK is loaded on first use: processes without S3
 * never pay for it. Artifacts (s3-store.ts) and training data (executors/s3-staging.ts) share it.
 */
import type { S3Client } from '@aws-sdk/client-s3';

export interface S3Access {
  endpoint: string | null;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
}

export type LoadedS3 = { client: S3Client; s3: typeof import('@aws-sdk/client-s3') };

export function lazyS3(access: S3Access): () => Promise<LoadedS3> {
  let loaded: Promise<LoadedS3> | null = null;
  const options = {
    region: access.region,
    // No checksum unless the operation needs one: a presigned PUT would carry the CRC of an empty body.
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
    ...(access.credentials ? { credentials: access.credentials } : {}),
    ...(access.endpoint ? { endpoint: access.endpoint, forcePathStyle: true } : {}),
  };
  return () => (loaded ??= import('@aws-sdk/client-s3').then((s3) => ({ client: new s3.S3Client(options), s3 })));
}
