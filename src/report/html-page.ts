/**
 * The shell of refit's self-contained HTML reports (run reports, drift and validation pages): one
 * stylesheet, a table helper that escapes every cell, and the page around a body. No script and no
 * external asset: a report renders from a file, an e-mail or a sandboxed frame.
 */
import { escapeHtml as e } from './html-escape.js';

export type Cell = string | number;

export function htmlTable(head: Cell[], rows: Cell[][], caption?: string): string {
  if (rows.length === 0) return '';
  const th = head.map((h) => `<th scope="col">${e(String(h))}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${e(String(c))}</td>`).join('')}</tr>`).join('\n');
  const cap = caption ? `<caption>${e(caption)}</caption>` : '';
  return `<table>${cap}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export const REPORT_STYLE = `body { font: 14px/1.45 system-ui, sans-serif; max-width: 980px; margin: 2rem auto;
  padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #d0d7de; padding: 3px 8px; vertical-align: top; }
thead th { background: #f6f8fa; text-align: left; } caption { text-align: left; font-weight: 600; padding: 4px 0; }
blockquote { margin: 0; padding: .4rem .8rem; border-left: 4px solid #d0d7de; background: #f6f8fa; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; } svg { max-width: 100%; height: auto; }
.drift { color: #a40e26; font-weight: 600; } .ok { color: #116329; font-weight: 600; }
.warn { color: #7d4e00; font-weight: 600; }`;

/** A whole page: `body` is trusted HTML built by the caller from escaped parts. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>
${REPORT_STYLE}
</style>
</head>
<body>
<main>
<h1>${e(title)}</h1>
${body}
</main>
</body>
</html>
`;
}
