/**
 * Writing a report a user asked for (`--html OUT`): its folder is made; a path that cannot be
 * written is a usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../../core/errors.js';

export function writeReportFile(path: string, content: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`cannot write the report to ${path} (${why}): choose a writable path`);
  }
}
