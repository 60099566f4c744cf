/** GitHub-flavoured Markdown pieces: a table cell, a table, a collapsed section. */

/** A cell's text: pipes escaped, line breaks flattened. */
export const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A table with a header row (no lines at all without rows), followed by a blank line. */
export function mdTable(head: string[], rows: string[][]): string[] {
  if (rows.length === 0) return [];
  const line = (r: string[]) => `| ${r.map(mdCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line), ''];
}

/** A <details> block, or nothing when the body is empty. */
export function mdDetails(summary: string, body: string[]): string[] {
  return body.length ? [`<details><summary>${summary}</summary>`, '', ...body, '</details>', ''] : [];
}
