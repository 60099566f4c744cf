/** Reads a whole CSV or NDJSON file into rows (for drift reports and validation of small tables). */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import { formatOf, openSource, readRecords, type Format } from '../ingest/sources.js';

export async function readTable(path: string, format?: Format): Promise<Record<string, unknown>[]> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const rows: Record<string, unknown>[] = [];
  for await (const item of readRecords(openSource(path), formatOf(path, format))) {
    if ('error' in item) throw new InputError(`${path}:${item.line}: ${item.error}`);
    rows.push(flatten(item.record));
  }
  return rows;
}

/** `{input: {text: "x"}}` → `{"input.text": "x"}` so nested event inputs become columns. */
function flatten(
  record: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [k, v] of Object.entries(record)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}
