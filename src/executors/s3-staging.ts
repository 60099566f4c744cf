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
import { lazyS3, type LoadedS3, type S3Access } from '../artifacts/s3-client.js';
import { RefitError } from '../core/errors.js';
import { writeOutput } from './output-dir.js';

export interface StagedAttempt {
  /** REFIT_* variables for the container. */
  env: Record<string, string>;
  outputUri: string;
}

/** `s3://bucket/prefix` → bucket and prefix (no trailing slash). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new RefitError('CONFIG', `"${uri}" is not an s3://BUCKET/PREFIX URI`);
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, '') };
}

const join3 = (...parts: string[]) => parts.filter(Boolean).join('/');

export class S3Staging {
  private readonly client: () => Promise<LoadedS3>;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    uri: string,
    private readonly access: S3Access,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Uri(uri));
    this.client = lazyS3(access);
  }

  private async presign(command: object, expiresIn: number): Promise<string> {
    const { client } = await this.client();
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    return getSignedUrl(client, command as never, { expiresIn });
  }

  private base(model: string, key: string): string {
    return join3(this.prefix, 'training', model, key);
  }

  /** Uploads the dataset version for a training key (again after a crash: the same objects). */
  async upload(model: string, key: string, datasetDir: string): Promise<void> {
    const { client, s3 } = await this.client();
    const datasetPrefix = `${this.base(model, key)}/dataset/`;
    for (const f of readdirSync(datasetDir).filter((name) => !name.startsWith('.'))) {
      const body = readFileSync(join(datasetDir, f));
      const put = new s3.PutObjectCommand({ Bucket: this.bucket, Key: datasetPrefix + f, Body: body });
      await client.send(put).catch((err: Error) => {
        throw s3Error(err, `uploading ${f} of the dataset to s3://${this.bucket}/${datasetPrefix}`);
      });
    }
  }

  /** The REFIT_* variables of one attempt: presigned split URLs (`expiresIn` s) and its output prefix. */
  async attempt(input: { model: string; key: string; jobName: string; expiresIn: number }): Promise<StagedAttempt> {
    const { s3 } = await this.client();
    const base = this.base(input.model, input.key);
    const datasetPrefix = `${base}/dataset/`;
    const outputPrefix = `${base}/${input.jobName}/output/`;
    const get = (split: string) =>
      new s3.GetObjectCommand({ Bucket: this.bucket, Key: `${datasetPrefix}${split}.jsonl` });
    const modelPut = new s3.PutObjectCommand({ Bucket: this.bucket, Key: `${outputPrefix}model.json` });
    const env: Record<string, string> = {
      REFIT_DATASET_URI: `s3://${this.bucket}/${datasetPrefix}`,
      REFIT_OUTPUT_URI: `s3://${this.bucket}/${outputPrefix}`,
      REFIT_TRAIN_URL: await this.presign(get('train'), input.expiresIn),
      REFIT_EVAL_URL: await this.presign(get('eval'), input.expiresIn),
      REFIT_TEST_URL: await this.presign(get('test'), input.expiresIn),
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
