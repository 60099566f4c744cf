/**
 * `refit ingest`: streams events from files into the store in batched transactions. Idempotent by
 * id; feedback may arrive before its prediction. Bad rows are reported with file:line, field and
 * reason while the good rows are written; `maxErrors` stops early.
 */
import { constants, existsSync, readdirSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppContext } from '../app-context.js';
import type { RefitEvent } from '../core/glossary.js';
import type { LabelConflict } from '../stores/label-conflicts.js';
import { UsageError } from '../core/errors.js';
import { writeEventBatch } from '../stores/evidence.js';
import { parseEvent } from './parse-event.js';
import { formatOf, openSource, readRecords, type Format } from './sources.js';
import { withRetry } from '../stores/retry.js';

/** Rejected rows logged one by one per ingestion; the rest are counted in the summary. */
const LOGGED_REJECTIONS = 20;

export interface IngestOptions {
  /** Rows per transaction. Default 2000. */
  batchSize?: number;
  /** Stop after this many rejected rows. Default: never. */
  maxErrors?: number;
  /** Force a format; default by extension (`.csv` → CSV, else NDJSON; stdin NDJSON). */
  format?: Format;
  stdin?: Readable;
  /** Validate and count only; nothing is written. Default false. */
  dryRun?: boolean;
  /** Directory relative file names are resolved against. Default process.cwd(). */
  cwd?: string;
  /** Called after every batch with the running totals (progress). */
  onProgress?: (s: IngestSummary) => void;
}

export interface RejectedRow {
  file: string;
  line: number;
  field: string | null;
  reason: string;
}

export interface IngestSummary {
  files: string[];
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  matched: number;
  byType: { prediction: number; feedback: number; example: number };
  /** The first rejected rows (at most 100 kept; `rejected` has the full count). */
  errors: RejectedRow[];
  /** Duplicates with another label than the stored one, which is kept (the first 100; `conflicts` counts all). */
  conflicts: number;
  conflictRows: LabelConflict[];
  stoppedEarly: boolean;
  /** true when nothing was written (`accepted` then counts valid rows). */
  dryRun: boolean;
}

const KEEP_ERRORS = 100;

/**
 * One ingestion: records are offered one by one (with where they came from), parsed, batched and
 * written; rejected ones are kept with file:line (or request index), field and reason.
 */
export class IngestSession {
  readonly summary: IngestSummary;
  private batch: RefitEvent[] = [];
  private readonly rules: { models: Map<string, string[] | null>; nowMs: number };
  constructor(
    private readonly app: AppContext,
    sources: string[],
    private readonly options: IngestOptions = {},
  ) {
    this.summary = {
      files: sources,
      read: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      matched: 0,
      byType: { prediction: 0, feedback: 0, example: 0 },
      errors: [],
      conflicts: 0,
      conflictRows: [],
      stoppedEarly: false,
      dryRun: options.dryRun === true,
    };
    this.rules = {
      models: new Map(Object.values(app.config.models).map((m) => [m.name, m.labels ?? null])),
      nowMs: app.clock.now(),
    };
  }

  /** Offers one raw record; returns false once --max-errors stopped the session. */
  async offer(source: string, line: number, record: Record<string, unknown> | { error: string }): Promise<boolean> {
    this.summary.read++;
    if ('error' in record && typeof record.error === 'string' && Object.keys(record).length === 1)
      this.reject(source, line, null, record.error);
    else {
      const parsed = parseEvent(record as Record<string, unknown>, this.rules);
      if (parsed.ok) {
        this.batch.push(parsed.event);
        if (this.batch.length >= (this.options.batchSize ?? 2000)) await this.flush();
      } else this.reject(source, line, parsed.field, parsed.reason);
    }
    return !this.summary.stoppedEarly;
  }

  reject(source: string, line: number, field: string | null, reason: string): void {
    const s = this.summary;
    s.rejected++;
    if (s.errors.length < KEEP_ERRORS) s.errors.push({ file: source, line, field, reason });
    // One bad request must not become a flood of log lines: the first few, then one line saying so.
    if (s.rejected <= LOGGED_REJECTIONS) this.app.logger.warn('rejected row', { file: source, line, field, reason });
    else if (s.rejected === LOGGED_REJECTIONS + 1) {
      this.app.logger.warn(
        `more rows rejected: only the first ${LOGGED_REJECTIONS} are logged; the summary counts all`,
        {
          file: source,
        },
      );
    }
    if (this.options.maxErrors !== undefined && s.rejected >= this.options.maxErrors) s.stoppedEarly = true;
  }

  async flush(): Promise<IngestSummary> {
    const s = this.summary;
    if (this.batch.length === 0) return s;
    const events = this.batch;
    this.batch = [];
    if (this.options.dryRun) {
      s.accepted += events.length;
      for (const e of events) s.byType[e.type]++;
    } else {
      const r = await withRetry(() => writeEventBatch(this.app.store, events, this.app.clock.now()));
      s.accepted += r.inserted.prediction + r.inserted.feedback + r.inserted.example;
      s.byType.prediction += r.inserted.prediction;
      s.byType.feedback += r.inserted.feedback;
      s.byType.example += r.inserted.example;
      s.duplicates += r.duplicates;
      s.matched += r.matched;
      s.conflicts += r.conflicts.length;
      s.conflictRows.push(...r.conflicts.slice(0, Math.max(0, KEEP_ERRORS - s.conflictRows.length)));
    }
    this.options.onProgress?.(s);
    return s;
  }
}

const EVENT_FILE = /\.(ndjson|jsonl|csv)$/i;

/** A directory stands for its event files (.ndjson, .jsonl, .csv), in name order, subdirectories included. */
function expandDirectories(files: string[], cwd: string): string[] {
  return files.flatMap((f) => {
    if (f === '-') return [f];
    const path = resolve(cwd, f);
    if (!existsSync(path) || !statSync(path).isDirectory()) return [f];
    const found = readdirSync(path, { recursive: true, encoding: 'utf8' }).filter((n) => EVENT_FILE.test(n));
    return found.sort().map((n) => join(f, n));
  });
}

/** Every file is readable before any is ingested: a typo in a path is a usage error, not a rejected row. */
async function refuseUnreadable(files: string[], cwd: string): Promise<void> {
  const problems: string[] = [];
  for (const file of files) {
    if (file === '-') continue;
    const path = resolve(cwd, file);
    try {
      await access(path, constants.R_OK);
      if (statSync(path).isDirectory()) problems.push(`${file}: a folder with no *.ndjson, *.jsonl or *.csv files`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable' : code}`);
    }
  }
  if (problems.length) {
    throw new UsageError(`cannot read ${problems.join('; ')} — check the path(s); nothing was ingested`);
  }
}

export async function ingestFiles(
  app: AppContext,
  files: string[],
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const listed = expandDirectories(files, options.cwd ?? process.cwd());
  await refuseUnreadable(listed, options.cwd ?? process.cwd());
  const session = new IngestSession(app, listed, options);
  outer: for (const file of listed) {
    const name = file === '-' ? '<stdin>' : file;
    const path = file === '-' ? '-' : resolve(options.cwd ?? process.cwd(), file);
    const stream = openSource(path, options.stdin);
    for await (const item of readRecords(stream, formatOf(file, options.format))) {
      if (!(await session.offer(name, item.line, 'error' in item ? { error: item.error } : item.record))) {
        stream.destroy();
        break outer;
      }
    }
  }
  return session.flush();
}
