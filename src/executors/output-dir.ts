/**
 * Writing a remote job's output files into its local output directory: a path must stay inside
 * the directory (no `..`, no absolute paths) — outputs come from someone else's server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { RefitError } from '../core/errors.js';

export function writeOutput(outputDir: string, path: string, data: Uint8Array, source: string): void {
  const root = resolve(outputDir);
  const target = resolve(root, path);
  if (!target.startsWith(root + sep))
    throw new RefitError('INPUT', `${source}: output path "${path}" leaves the output directory`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, data);
}
