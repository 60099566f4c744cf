/**
 * Streams records out of NDJSON or CSV files (or stdin for `-`) with their line numbers, in
 * constant memory. A line that is not valid JSON is yielded as an error, never thrown, so the good
 * lines around it are kept.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';

export type Format = 'ndjson' | 'csv';

export type SourceRecord = { line: number; record: Record<string, unknown> } | { line: number; error: string };

export function formatOf(path: string, explicit?: Format): Format {
  if (explicit) return explicit;
  return /\.csv$/i.test(path) ? 'csv' : 'ndjson';
}

export function openSource(path: string, stdin: Readable = process.stdin): Readable {
  return path === '-' ? stdin : createReadStream(path);
}

export async function* readNdjson(stream: Readable): AsyncGenerator<SourceRecord> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    // A byte-order mark (editors on Windows write one) is not part of the first JSON value.
    const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { line, error: `not valid JSON (${(err as Error).message}); each line must be one JSON object` };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { line, error: 'expected a JSON object such as {"type":"prediction",...}' };
      continue;
    }
    yield { line, record: value as Record<string, unknown> };
  }
}

export async function* readCsv(stream: Readable): AsyncGenerator<SourceRecord> {
  const parser = stream.pipe(
    parseCsv({
      columns: true,
      bom: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: true,
      skip_records_with_error: false,
    }),
  );
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const record: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(item.record)) if (v !== '') record[k] = v;
      yield { line: item.info.lines, record };
    }
  } catch (err) {
    const e = err as Error & { lines?: number };
    yield { line: e.lines ?? 0, error: `CSV syntax error: ${e.message}; the rest of the file was not read` };
  }
}

export function readRecords(stream: Readable, format: Format): AsyncGenerator<SourceRecord> {
  return format === 'csv' ? readCsv(stream) : readNdjson(stream);
}
