/**
 * What a GitHub Actions runner gives a step: the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and
 * readers for what the step wrote to them and to stdout (outputs, log groups).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function actionsEnv(dir: string, extra: NodeJS.ProcessEnv = {}) {
  const output = join(dir, 'gh_output');
  const summary = join(dir, 'gh_summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '42',
    ...extra,
  };
  return {
    env,
    output: () => readFileSync(output, 'utf8'),
    outputs: () => parseOutputs(readFileSync(output, 'utf8')),
    summary: () => readFileSync(summary, 'utf8'),
    clear: () => {
      writeFileSync(output, '');
      writeFileSync(summary, '');
    },
  };
}

/** The GITHUB_OUTPUT file as the runner reads it: `name<<DELIM` … `DELIM` blocks (and `name=value` lines). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter = ''] = heredoc;
      const end = lines.indexOf(delimiter, i + 1);
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The lines between each `::group::NAME` and its `::endgroup::`, per group name. */
export function groups(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let open: string | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::group::')) open = line.slice('::group::'.length);
    else if (line === '::endgroup::') open = null;
    else if (open) out.set(open, [...(out.get(open) ?? []), line]);
  }
  return out;
}
