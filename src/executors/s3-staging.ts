/**
 * Data in and out of a training container through S3 (any S3-compatible store the cluster can
 * reach). In: every file of the dataset version is uploaded under
 * `PREFIX/training/<model>/<key>/dataset/`, and the container gets presigned GET URLs of the
 * splits, so it needs no S3 credentials to read. Out: the container writes its model under the
 * attempt's output prefix (through its own credentials, or the presigned PUT URL of `model.json`);
 * refit downloads every object and checks each one's size and, for single-part uploads, its MD5
 * against the ETag. An empty output prefix is a failed training.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { RefitError } from '../core/errors.js';
import { writeOutput } from './output-dir.js';

export interface S3Access {
  endpoint: string | null;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
}

export interface StagedAttempt {
  /** REFIT_* variables for the container. */
  env: Record<string, string>;
  outputUri: string;
}

type Sdk = { client: S3Client; s3: typeof import('@aws-sdk/client-s3') };

/** `s3://bucket/prefix` → bucket and prefix (no trailing slash). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new RefitError('CONFIG', `"${uri}" is not an s3://BUCKET/PREFIX URI`);
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, '') };
}

const join3 = (...parts: string[]) => parts.filter(Boolean).join('/');

export class S3Staging {
  private sdk: Promise<Sdk> | null = null;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    uri: string,
    private readonly access: S3Access,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Uri(uri));
  }

  private client(): Promise<Sdk> {
    const a = this.access;
    // No checksum in presigned URLs: a PUT URL would carry the CRC of an empty body.
    const options = {
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
      responseChecksumValidation: 'WHEN_REQUIRED' as const,
      region: a.region,
      ...(a.credentials ? { credentials: a.credentials } : {}),
      ...(a.endpoint ? { endpoint: a.endpoint, forcePathStyle: true } : {}),
    };
    this.sdk ??= import('@aws-sdk/client-s3').then((s3) => ({ client: new s3.S3Client(options), s3 }));
    return this.sdk;
  }

  private async presign(command: object, expiresIn: number): Promise<string> {
    const { client } = await this.client();
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    return getSignedUrl(client, command as never, { expiresIn });
  }

  /**
   * Uploads the dataset version (once per key: the same objects are written again after a crash)
   * and names the attempt's output prefix. URLs last `expiresIn` seconds.
   */
  async stage(input: {
    model: string;
    key: string;
    jobName: string;
    datasetDir: string;
    expiresIn: number;
  }): Promise<StagedAttempt> {
    const { client, s3 } = await this.client();
    const base = join3(this.prefix, 'training', input.model, input.key);
    const datasetPrefix = `${base}/dataset/`;
    const files = readdirSync(input.datasetDir).filter((f) => !f.startsWith('.'));
    for (const f of files) {
      const body = readFileSync(join(input.datasetDir, f));
      const put = new s3.PutObjectCommand({ Bucket: this.bucket, Key: datasetPrefix + f, Body: body });
      await client.send(put).catch((err: Error) => {
        throw s3Error(err, `uploading ${f} of the dataset to s3://${this.bucket}/${datasetPrefix}`);
      });
    }
    const outputPrefix = `${base}/${input.jobName}/output/`;
    const getUrl = (split: string) =>
      this.presign(
        new s3.GetObjectCommand({ Bucket: this.bucket, Key: `${datasetPrefix}${split}.jsonl` }),
        input.expiresIn,
      );
    const modelPut = new s3.PutObjectCommand({ Bucket: this.bucket, Key: `${outputPrefix}model.json` });
    const env: Record<string, string> = {
      REFIT_DATASET_URI: `s3://${this.bucket}/${datasetPrefix}`,
      REFIT_OUTPUT_URI: `s3://${this.bucket}/${outputPrefix}`,
      REFIT_TRAIN_URL: await getUrl('train'),
      REFIT_EVAL_URL: await getUrl('eval'),
      REFIT_TEST_URL: await getUrl('test'),
      REFIT_MODEL_PUT_URL: await this.presign(modelPut, input.expiresIn),
    };
    if (this.access.endpoint) env.AWS_ENDPOINT_URL_S3 = this.access.endpoint;
    return { env, outputUri: env.REFIT_OUTPUT_URI! };
  }

  /** Downloads every object under the output prefix into `dir`, each verified; returns the count. */
  async collect(outputUri: string, dir: string, what: string): Promise<number> {
    const { bucket, prefix } = parseS3Uri(outputUri);
    const { client, s3 } = await this.client();
    const keyPrefix = `${prefix}/`;
    let token: string | undefined;
    let count = 0;
    do {
      const list = new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ContinuationToken: token });
      const page = await client.send(list).catch((err: Error) => {
        throw s3Error(err, `listing ${outputUri}`);
      });
      for (const o of page.Contents ?? []) {
        const got = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
        const bytes = await got.Body!.transformToByteArray();
        const name = o.Key!.slice(keyPrefix.length);
        checkObject(name, bytes, o.Size ?? null, o.ETag ?? null, what);
        writeOutput(dir, name, bytes, what);
        count++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (count === 0)
      throw new RefitError(
        'TRAINING_FAILED',
        `${what} succeeded but wrote nothing under ${outputUri}: the container must write its model there ` +
          '(REFIT_OUTPUT_URI, or a PUT to REFIT_MODEL_PUT_URL)',
      );
    return count;
  }
}

/** Size, and the MD5 of a single-part upload (its ETag), must match what was listed. */
function checkObject(name: string, bytes: Uint8Array, size: number | null, etag: string | null, what: string) {
  if (size !== null && bytes.length !== size)
    throw new RefitError(
      'UPSTREAM_UNAVAILABLE',
      `${what}: output ${name} arrived with ${bytes.length} of ${size} bytes`,
    );
  const tag = etag?.replace(/"/g, '') ?? '';
  if (!/^[0-9a-f]{32}$/.test(tag)) return; // a multipart ETag is not an MD5
  const md5 = createHash('md5').update(bytes).digest('hex');
  if (md5 !== tag)
    throw new RefitError('UPSTREAM_UNAVAILABLE', `${what}: output ${name} is corrupted (MD5 ${md5}, ETag ${tag})`);
}

function s3Error(err: Error & { $metadata?: { httpStatusCode?: number } }, doing: string): RefitError {
  const status = err.$metadata?.httpStatusCode ?? 0;
  const code = status === 0 || status === 429 || status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED';
  const hint = status === 403 ? ' (check the S3 credentials and the bucket policy)' : '';
  return new RefitError(code, `${doing}: ${err.name}${status ? ` (${status})` : ''}${hint}`);
}
