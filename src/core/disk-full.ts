/**
 * A full disk, said plainly: Node's `ENOSPC: no space left on device, write` names neither the
 * disk nor what was being written. `explainDiskFull` turns ENOSPC and EDQUOT into a
 * `DiskFullError` that says what refit was writing, where, how much is free and what to do; other
 * errors pass through unchanged. The code is retryable: once space is freed, the step's next
 * attempt passes.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { RefitError } from './errors.js';

export class DiskFullError extends RefitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DISK_FULL', message, options);
  }
}

/** Node's file errors, SQLite's, and PostgreSQL's SQLSTATE 53100 (disk_full). */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100']);

const codeOf = (err: unknown) => String((err as { code?: unknown } | null)?.code ?? '');

export function isDiskFull(err: unknown): boolean {
  return FULL.has(codeOf(err));
}

/** Free bytes on the disk holding `path` (or its nearest existing parent), or null when unknown. */
export function freeBytes(path: string): number | null {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = statfsSync(p);
      return s.bavail * s.bsize;
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

/** "12.0 KiB free" for the disk holding `path`. */
export function describeFree(path: string): string {
  return `${size(freeBytes(path))} free`;
}

function size(bytes: number | null): string {
  if (bytes === null) return 'unknown space';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) ((v /= 1024), u++);
  return `${v.toFixed(1)} ${units[u]}`;
}

/**
 * `err` as a DiskFullError when the disk is full, else unchanged. `doing` says what was being
 * written ("writing dataset version spam/v…"), `where` the directory, `setting` the config key
 * that moves it.
 */
export function explainDiskFull(err: unknown, doing: string, where: string, setting = 'artifacts'): unknown {
  if (!isDiskFull(err) || err instanceof DiskFullError) return err;
  const facts = `${codeOf(err)}, ${describeFree(where)}`;
  const fix = `free space there or point \`${setting}:\` at a larger disk`;
  return new DiskFullError(`no space left on the disk of ${where} while ${doing} (${facts}): ${fix}`, { cause: err });
}

/**
 * A full disk met anywhere in a command, a request or a run: the store's disk (SQLite's file, or
 * the PostgreSQL server's), else the file the error names, else the artifact directory.
 */
export function explainAnyDiskFull(err: unknown, places: { store: string; artifactsDir: string }): unknown {
  if (!isDiskFull(err) || err instanceof DiskFullError) return err;
  const code = codeOf(err);
  if (code === '53100')
    return new DiskFullError(
      `the PostgreSQL server's disk is full (SQLSTATE 53100): free space on the server; nothing of the failed ` +
        'write was committed',
      { cause: err },
    );
  if (code === 'SQLITE_FULL') {
    const file = places.store.replace(/^sqlite:/, '');
    return explainDiskFull(err, 'writing to the store (nothing of the failed write was committed)', file, 'store');
  }
  const path = (err as NodeJS.ErrnoException).path;
  return explainDiskFull(err, path ? `writing ${path}` : 'writing files', path ?? places.artifactsDir);
}
