/// <reference lib="dom" />
/**
 * The dashboard's entry: a token bar (the token lives in this browser session only) and three
 * pages by the URL's hash — `#/` the overview, `#/lines/MODEL` one model line and its registry,
 * `#/runs/RUN` one run.
 */
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { getToken, saveToken } from './api.js';
import { Overview } from './overview.js';
import { LinePage } from './line-page.js';
import { RunPage } from './run-page.js';

type Route = { page: 'overview' } | { page: 'run'; id: string } | { page: 'line'; model: string };

function route(): Route {
  const run = /^#\/runs\/([\w-]+)/.exec(location.hash);
  if (run) return { page: 'run', id: run[1]! };
  const line = /^#\/lines\/([^/]+)/.exec(location.hash);
  return line ? { page: 'line', model: decodeURIComponent(line[1]!) } : { page: 'overview' };
}

function TokenBar({ token, onToken }: { token: string; onToken: (t: string) => void }) {
  const [draft, setDraft] = useState('');
  if (token) return html`<button class="link" onClick=${() => onToken('')}>Forget token</button>`;
  const submit = (e: Event) => (e.preventDefault(), onToken(draft.trim()));
  return html`<form onSubmit=${submit} class="token">
    <label for="token">Token</label>
    <input
      id="token"
      type="password"
      autocomplete="off"
      value=${draft}
      onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)}
    />
    <button type="submit">Use</button>
  </form>`;
}

function App() {
  const [where, setWhere] = useState<Route>(route());
  const [token, setToken] = useState(getToken());
  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const use = (t: string) => (saveToken(t), setToken(t));
  const page = !token
    ? html`<p>
        Enter a refit token (scope <code>read</code> to look, <code>admin</code> to act) from <code>serve.tokens</code>.
      </p>`
    : where.page === 'run'
      ? html`<${RunPage} id=${where.id} token=${token} />`
      : where.page === 'line'
        ? html`<${LinePage} model=${where.model} token=${token} />`
        : html`<${Overview} token=${token} />`;
  return html`<header><a class="brand" href="#/">refit</a><${TokenBar} token=${token} onToken=${use} /></header>
    <main>${page}</main>`;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the shell's "Loading…" line
render(html`<${App} />`, root);
