/**
 * Model artifacts in S3 (or any S3-compatible store): every file of the artifact is uploaded under
 * `PREFIX/models/<model>/v<version>/`; opening downloads into a local cache and verifies the
 * sha256 against the registry before the path is handed out — a corrupted object is refused.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { RefitError } from '../core/errors.js';
import { lazyS3, type LoadedS3, type S3Access } from './s3-client.js';
import { ArtifactIntegrityError, hashArtifact, listFiles, type StoredArtifact } from './file-store.js';

export class S3ArtifactStore {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: () => Promise<LoadedS3>;
  private readonly cacheDir: string;

  constructor(uri: string, opts: S3Access & { cacheDir: string }) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m) throw new RefitError('CONFIG', `artifacts "${uri}" is not an s3://BUCKET/PREFIX URI`);
    this.bucket = m[1]!;
    this.prefix = m[2]!.replace(/\/+$/, '');
    this.client = lazyS3(opts);
    this.cacheDir = join(opts.cacheDir, 's3-cache');
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].filter(Boolean).join('/');
  }

  async put(model: string, version: number, source: string): Promise<StoredArtifact> {
    if (!existsSync(source)) throw new RefitError('NOT_FOUND', `artifact ${source} does not exist`);
    const { sha256, size } = await hashArtifact(source);
    const isFile = statSync(source).isFile();
    const base = this.key('models', model, `v${version}`, isFile ? basename(source) : 'model');
    const files = isFile ? [source] : listFiles(source);
    for (const f of files) {
      const key = isFile ? base : `${base}/${relative(source, f).split('\\').join('/')}`;
      const { client, s3 } = await this.client();
      await client.send(new s3.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: readFileSync(f) }));
    }
    return { uri: `s3://${this.bucket}/${base}${isFile ? '' : '/'}`, sha256, size };
  }

  async open(uri: string, sha256: string): Promise<string> {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!m) throw new RefitError('USAGE', `cannot open ${uri} with the S3 artifact store`);
    const [, bucket, key] = m as unknown as [string, string, string];
    const isDir = key.endsWith('/');
    const local = join(this.cacheDir, sha256, isDir ? 'model' : basename(key));
    rmSync(dirname(local), { recursive: true, force: true });
    mkdirSync(isDir ? local : dirname(local), { recursive: true });
    if (isDir) {
      let token: string | undefined;
      do {
        const { client, s3 } = await this.client();
        const page = await client.send(
          new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          const target = join(local, o.Key!.slice(key.length));
          mkdirSync(dirname(target), { recursive: true });
          await this.download(bucket, o.Key!, target);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } else await this.download(bucket, key, local);
    const actual = (await hashArtifact(local)).sha256;
    if (actual !== sha256) throw new ArtifactIntegrityError(uri, sha256, actual);
    return local;
  }

  private async download(bucket: string, key: string, target: string): Promise<void> {
    const { client, s3 } = await this.client();
    const o = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
    writeFileSync(target, Buffer.from(await o.Body!.transformToByteArray()));
  }
}
