/**
 * Writes a dataset version's files into a fresh directory and returns the content hash: one JSONL
 * file per split (CSV too for tabular tasks), hashed in the fixed order train, eval, test. The
 * directory is renamed into place only when complete, and never over an existing version.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { SplitName } from './split.js';

export interface DatasetRow {
  id: string;
  input: Record<string, unknown>;
  label: string;
  source: string;
  tsMs: number;
}

export const SPLITS: SplitName[] = ['train', 'eval', 'test'];

/** The earliest and latest times ingestion accepts (2000–2100): a stored time outside is named. */
const TS_RANGE = [Date.UTC(2000, 0, 1), Date.UTC(2100, 0, 1)] as const;

export function rowLine(r: DatasetRow): string {
  const t = Number(r.tsMs);
  if (!Number.isFinite(t) || t < TS_RANGE[0] || t > TS_RANGE[1])
    throw new InputError(
      `${r.source} row "${r.id}" has a time no clock can hold (ts_ms ${r.tsMs}); ingestion accepts 2000-01-01 ` +
        'to 2100-01-01: delete or correct that row in the store (it was stored before times were checked)',
    );
  return JSON.stringify({
    id: r.id,
    input: r.input,
    label: r.label,
    source: r.source,
    ts: new Date(t).toISOString(),
  });
}

/**
 * Writes a version's split files one split after another into a temp directory, row by row,
 * buffered; the content hash covers the JSONL lines in the order train, eval, test. CSV files
 * (tabular tasks) share one header: the sorted union of the input fields.
 */
export class SplitWriter {
  readonly tmp: string;
  private readonly hash = createHash('sha256');
  private jsonl: number | null = null;
  private csv: number | null = null;
  private buf = '';
  private csvBuf = '';

  constructor(
    dir: string,
    private readonly csvFields: string[] | null,
  ) {
    this.tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(this.tmp, { recursive: true });
  }

  begin(split: SplitName): void {
    this.close();
    this.jsonl = openSync(join(this.tmp, `${split}.jsonl`), 'w');
    if (this.csvFields) {
      this.csv = openSync(join(this.tmp, `${split}.csv`), 'w');
      this.csvBuf = ['id', ...this.csvFields, 'label'].map(csvCell).join(',') + '\n';
    }
  }

  write(r: DatasetRow): void {
    this.buf += rowLine(r) + '\n';
    if (this.csvFields)
      this.csvBuf += [r.id, ...this.csvFields.map((f) => r.input[f]), r.label].map(csvCell).join(',') + '\n';
    if (this.buf.length > 1 << 20) this.flush();
  }

  /** Closes the files; returns the content hash. */
  finish(): string {
    this.close();
    return this.hash.digest('hex');
  }

  /** Removes the temp directory after a failed write (a full disk): nothing half-written stays. */
  discard(): void {
    try {
      if (this.jsonl !== null) closeSync(this.jsonl);
      if (this.csv !== null) closeSync(this.csv);
    } catch {
      // already closed
    }
    this.jsonl = this.csv = null;
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private flush(): void {
    this.hash.update(this.buf);
    writeSync(this.jsonl!, this.buf);
    this.buf = '';
    if (this.csv !== null) (writeSync(this.csv, this.csvBuf), (this.csvBuf = ''));
  }

  private close(): void {
    if (this.jsonl === null) return;
    this.flush();
    closeSync(this.jsonl);
    if (this.csv !== null) closeSync(this.csv);
    this.jsonl = this.csv = null;
  }
}

/** Moves a finished temp directory to its version path; refuses to overwrite. */
export function publish(tmp: string, dir: string): void {
  if (existsSync(dir)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`dataset version directory ${dir} already exists: versions are immutable`);
  }
  renameSync(tmp, dir);
}

export function writeMetadata(dir: string, metadata: object): void {
  writeFileSync(join(dir, 'dataset_metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
