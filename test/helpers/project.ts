/** A throwaway project folder with a refit.yaml, and an in-process CLI runner that captures output. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import type { Clock } from '../../src/core/ports/clock.js';
import { tempDir } from './stores.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function project(config: string, files: Record<string, string> = {}): string {
  const dir = tempDir('refit-proj-');
  writeFileSync(join(dir, 'refit.yaml'), config);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export async function cli(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string; clock?: Clock },
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env };
  const code = await runCli(args, {
    stdout,
    stderr,
    stdin: Readable.from([opts.stdin ?? '']),
    env,
    cwd: opts.cwd,
    clock: opts.clock,
  });
  return { code, stdout: out, stderr: err };
}

export const ndjson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** `n` labelled spam/ham examples for the `spam` line, as NDJSON: enough for a run to train and gate. */
export const spamExamples = (n = 60) =>
  ndjson(
    Array.from({ length: n }, (_, i) => ({
      type: 'example',
      id: `e${i}`,
      model: 'spam',
      input: { text: `${i % 2 ? 'free prize now' : 'meeting notes'} ${i}` },
      label: i % 2 ? 'spam' : 'ham',
    })),
  );

const KEYWORD = (f: string) =>
  JSON.stringify(fileURLToPath(new URL(`../fixtures/keyword-model/${f}`, import.meta.url)));

/** A model line's `train:` block that trains and serves the keyword model by command (fixtures/keyword-model). */
export const keywordTrain = () =>
  `    train:\n      executor: command\n      command: [node, ${KEYWORD('train.mjs')}]\n` +
  `      predict_command: [node, ${KEYWORD('predict.mjs')}]\n`;
