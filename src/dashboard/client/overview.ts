/// <reference lib="dom" />
/**
 * The overview: every model line with its champion, online accuracy and its chart, budget
 * tokens, last decision and why, runs in flight; then the latest runs. Polled every 3 s.
 */
import { html } from 'htm/preact';
import type { RunStory } from '../../report/run-story.js';
import type { ModelStatus } from '../../status/status.js';
import type { RunView } from '../../stores/runs.js';
import { api, pct, usePoll, when } from './api.js';
import { AccuracyChart } from './chart.js';
import { Table } from './table.js';

export function Overview({ token }: { token: string }) {
  const status = usePoll(() => api<{ models: ModelStatus[] }>('/v1/status', token), 3000, `status:${token}`);
  const runs = usePoll(() => api<RunView[]>('/v1/runs?limit=20', token), 3000, `runs:${token}`);
  if (status.error) return html`<p class="error" role="alert">${status.error}</p>`;
  if (!status.data) return html`<p>Loading…</p>`;
  return html`
    <h1>Model lines</h1>
    <div class="lines">
      ${status.data.models.map((m) => html`<${LineCard} key=${m.model} line=${m} token=${token} />`)}
    </div>
    <h2>Latest runs</h2>
    ${runs.data ? html`<${RunsTable} runs=${runs.data} />` : html`<p>Loading…</p>`}
  `;
}

function LineCard({ line, token }: { line: ModelStatus; token: string }) {
  const path = `/v1/models/${encodeURIComponent(line.model)}/timeline`;
  const timeline = usePoll(() => api<RunStory['timeline']>(path, token), 15_000, `${path}:${token}`);
  const last = line.lastDecisions[0];
  const chartTitle = `${line.model} online accuracy by day`;
  return html`<section class="card" aria-labelledby=${`line-${line.model}`}>
    <h2 id=${`line-${line.model}`}><a href=${`#/lines/${encodeURIComponent(line.model)}`}>${line.model}</a></h2>
    <dl class="facts">
      <dt>champion</dt>
      <dd>${line.champion === null ? 'none yet' : `v${line.champion}`}</dd>
      <dt>online accuracy</dt>
      <dd>${pct(line.onlineAccuracy)} <span class="muted">(last ${line.windowSize})</span></dd>
      <dt>budget</dt>
      <dd>${line.budget.tokens.toFixed(2)} of ${line.budget.capacity} tokens</dd>
      <dt>runs in flight</dt>
      <dd>${line.runsInFlight.length === 0 ? 'none' : line.runsInFlight.map(inFlight)}</dd>
    </dl>
    ${last ? html`<p class="decision"><strong>${last.action}</strong> ${when(last.atMs)}: ${last.reason}</p>` : null}
    ${
      line.monitor.last
        ? html`<p class="muted">monitor, last pass ${when(line.monitor.last.atMs)}: ${line.monitor.last.reason}</p>`
        : null
    }
    ${timeline.data ? html`<${AccuracyChart} timeline=${timeline.data} title=${chartTitle} />` : null}
  </section>`;
}

const inFlight = (r: { id: string; state: string }) => html`<a href=${`#/runs/${r.id}`}>${r.id}</a> (${r.state}) `;

function RunsTable({ runs }: { runs: RunView[] }) {
  if (runs.length === 0) return html`<p class="muted">No runs yet.</p>`;
  const row = (r: RunView) => [
    html`<a href=${`#/runs/${r.id}`}>${r.id}</a>`,
    r.model,
    html`<span class=${`state ${r.state}`}>${r.state}</span>`,
    when(r.updatedMs),
    r.outcome ?? r.reason,
  ];
  return html`<${Table} columns=${['run', 'line', 'state', 'updated', 'outcome']} items=${runs} row=${row} />`;
}
