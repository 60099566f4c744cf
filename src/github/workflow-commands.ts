/**
 * GitHub Actions workflow commands and files, as @actions/core writes them: `::group::`,
 * `::add-mask::`, `::notice|warning|error file=F,line=L::msg` with `%`→`%25`, CR→`%0D`, LF→`%0A`
 * (and `:`/`,` in properties), outputs in `$GITHUB_OUTPUT` (`name<<DELIM` for multi-line), the job
 * summary in `$GITHUB_STEP_SUMMARY` (at most 1 MiB).
 */
import { appendFileSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function command(
  name: string,
  message: string,
  props: Record<string, string | number | undefined> = {},
): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${p ? ' ' + p : ''}::${escapeData(message)}\n`;
}

/** One `name<<DELIM` block for `$GITHUB_OUTPUT`; the delimiter never occurs in the value. */
export function outputBlock(name: string, value: string): string {
  let delim = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delim)) delim = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delim}\n${value}\n${delim}\n`;
}

export const SUMMARY_LIMIT = 1024 * 1024;

export function appendOutput(file: string, name: string, value: string): void {
  appendFileSync(file, outputBlock(name, value));
}

/** Appends Markdown to the job summary unless that would pass 1 MiB; returns whether it was written. */
export function appendSummary(file: string, markdown: string): boolean {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  if (size + Buffer.byteLength(markdown) > SUMMARY_LIMIT) return false;
  appendFileSync(file, markdown);
  return true;
}
