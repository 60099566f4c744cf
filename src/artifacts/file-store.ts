/**
 * The local artifact store (`artifacts: file:DIR`): a model artifact — one file or a directory —
 * is copied to `DIR/models/<model>/v<version>/`, with its sha256 (a file's content hash, or for a
 * directory the hash of its sorted manifest of "sha256  path" lines) and size. Every load verifies
 * the hash; a mismatch is an `ArtifactIntegrityError` and the artifact is never used.
 */
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { RefitError } from '../core/errors.js';
import { explainDiskFull } from '../core/disk-full.js';

export class ArtifactIntegrityError extends RefitError {
  constructor(uri: string, expected: string, actual: string) {
    super(
      'CONFLICT',
      `artifact ${uri} is corrupted: sha256 ${actual.slice(0, 16)}… does not match the registered ${expected.slice(0, 16)}…; it will not be loaded or served (restore it, or register a new version)`,
    );
  }
}

export interface StoredArtifact {
  uri: string;
  sha256: string;
  size: number;
}

async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every file under `dir`, recursively, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** sha256 and size of a file, or of a directory via its manifest. */
export async function hashArtifact(path: string): Promise<{ sha256: string; size: number }> {
  const st = statSync(path);
  if (st.isFile()) return { sha256: await fileHash(path), size: st.size };
  const files = listFiles(path);
  let size = 0;
  const lines: string[] = [];
  for (const f of files) {
    size += statSync(f).size;
    lines.push(`${await fileHash(f)}  ${relative(path, f).split('\\').join('/')}`);
  }
  return {
    sha256: createHash('sha256')
      .update(lines.join('\n') + '\n')
      .digest('hex'),
    size,
  };
}

export class FileArtifactStore {
  constructor(private readonly root: string) {}

  async put(model: string, version: number, source: string): Promise<StoredArtifact> {
    if (!existsSync(source)) throw new RefitError('NOT_FOUND', `artifact ${source} does not exist`);
    const dir = join(this.root, 'models', model, `v${version}`);
    // The registry allocates `version` under the model line's lock with no row for it yet: a
    // directory already there is the leftover of a registration that crashed before committing.
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    const target = statSync(source).isFile() ? join(dir, basename(source)) : join(dir, 'model');
    try {
      mkdirSync(dir, { recursive: true });
      cpSync(source, target, { recursive: true });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw explainDiskFull(err, `storing the artifact of ${model} v${version}`, this.root);
    }
    const { sha256, size } = await hashArtifact(target);
    return { uri: `file:${target}`, sha256, size };
  }

  /** Returns the local path after checking the hash; throws ArtifactIntegrityError on mismatch. */
  async open(uri: string, sha256: string): Promise<string> {
    if (!uri.startsWith('file:')) throw new RefitError('USAGE', `cannot open ${uri} with the file artifact store`);
    const path = uri.slice('file:'.length);
    if (!existsSync(path)) throw new RefitError('NOT_FOUND', `artifact ${uri} is missing`);
    const actual = (await hashArtifact(path)).sha256;
    if (actual !== sha256) throw new ArtifactIntegrityError(uri, sha256, actual);
    return path;
  }
}
