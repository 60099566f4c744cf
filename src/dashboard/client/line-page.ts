/// <reference lib="dom" />
/**
 * One model line: its champion, online accuracy over time with what refit did (chart), its retrain
 * budget over time (chart), production drift per column, the
 * monitor's last verdict and the last one that acted, the test metrics of every version (chart),
 * which version served when (alias history), and the registry — versions with their lineage, two
 * versions side by side, promote and rollback (refused by the API without an admin token, and
 * said so here). Polled, so a promotion made elsewhere shows up within seconds.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { RunStory } from '../../report/run-story.js';
import type { ModelStatus } from '../../status/status.js';
import type { ColumnDrift, DriftReport } from '../../ml/drift/report.js';
import { columnVerdict } from '../../report/column-verdict.js';
import type { AliasHistoryEntry } from '../../stores/aliases.js';
import type { MonitorVerdict } from '../../stores/monitor-verdicts.js';
import type { ModelVersion } from '../../stores/versions.js';
import { api, pct, usePoll, when } from './api.js';
import type { BudgetPoint } from '../../report/budget-history.js';
import { BudgetChart } from './budget-chart.js';
import { AccuracyChart } from './chart.js';
import { MetricsChart, numericMetrics } from './metrics-chart.js';
import { Table } from './table.js';

type LineView = ModelStatus & {
  aliases: Record<string, number>;
  aliasHistory: AliasHistoryEntry[];
  productionDrift: { version: number; driftShare: number; checkedMs: number; details: DriftReport | null } | null;
};

const num = (v: unknown) => (typeof v === 'number' ? String(Number(v.toFixed(4))) : '—');

export function LinePage({ model, token }: { model: string; token: string }) {
  const base = `/v1/models/${encodeURIComponent(model)}`;
  const line = usePoll(() => api<LineView>(base, token), 2500, `${base}:${token}`);
  const versions = usePoll(() => api<ModelVersion[]>(`${base}/versions`, token), 2500, `${base}/v:${token}`);
  const timeline = usePoll(() => api<RunStory['timeline']>(`${base}/timeline`, token), 15_000, `${base}/t:${token}`);
  const budget = usePoll(() => api<BudgetPoint[]>(`${base}/budget`, token), 15_000, `${base}/b:${token}`);
  const reload = () => (line.reload(), versions.reload(), timeline.reload());
  if (line.error) return html`<p class="error" role="alert">${line.error}</p>`;
  const l = line.data;
  if (!l) return html`<p>Loading…</p>`;
  return html`
    <p><a href="#/">← all model lines</a></p>
    <h1>${model}</h1>
    <dl class="facts">
      <dt>champion</dt>
      <dd data-testid="champion">${l.champion === null ? 'none yet' : `v${l.champion}`}</dd>
      <dt>online accuracy</dt>
      <dd>${pct(l.onlineAccuracy)} <span class="muted">(last ${l.windowSize} reviewed)</span></dd>
      <dt>budget</dt>
      <dd>${l.budget.tokens.toFixed(2)} of ${l.budget.capacity} tokens (a retrain costs ${l.budget.cost})</dd>
    </dl>
    <h2>Monitor</h2>
    <${Verdicts} last=${l.monitor.last} acted=${l.monitor.lastAction} />
    <h2>Production drift</h2>
    <${Drift} drift=${l.productionDrift} />
    <h2>Online accuracy</h2>
    ${
      timeline.data
        ? html`<${AccuracyChart} timeline=${timeline.data} title=${`${model} online accuracy by day`} />`
        : html`<p>Loading…</p>`
    }
    <h2>Retrain budget</h2>
    ${budget.data ? html`<${BudgetChart} points=${budget.data} title=${`${model} retrain budget`} />` : null}
    <h2>Metrics across versions</h2>
    ${versions.data ? html`<${MetricsChart} versions=${versions.data} title=${`${model} test metrics`} />` : null}
    <h2>Registry</h2>
    ${
      versions.data
        ? html`<${Registry} model=${model} versions=${versions.data} token=${token} onDone=${reload} />`
        : html`<p>Loading…</p>`
    }
    <h2>Which version served when</h2>
    <${AliasHistory} moves=${l.aliasHistory} />
  `;
}

function verdictText(v: MonitorVerdict): string {
  const n = v.numbers;
  const stats = n
    ? ` (n ${n.championN} vs ${n.previousN}${n.pValue === null ? '' : `, p ${n.pValue.toPrecision(3)}`})`
    : '';
  return `${v.reason}${stats}`;
}

function Verdicts({ last, acted }: { last: MonitorVerdict | null; acted: MonitorVerdict | null }) {
  if (!last) return html`<p class="muted">No monitoring pass yet.</p>`;
  const did = (v: MonitorVerdict) =>
    v.action === 'rolled_back' ? `rolled back v${v.champion} to v${v.previous}` : v.action;
  return html`<p data-testid="monitor-last">
      Last pass ${when(last.atMs)}: <strong>${did(last)}</strong> — ${verdictText(last)}
    </p>
    ${
      acted && acted.atMs !== last.atMs
        ? html`<p>Last action: <strong>${did(acted)}</strong> ${when(acted.atMs)} — ${verdictText(acted)}</p>`
        : null
    }`;
}

function Drift({ drift }: { drift: LineView['productionDrift'] }) {
  if (!drift || !drift.details) return html`<p class="muted">Production inputs not checked for drift yet.</p>`;
  const d = drift.details;
  const share = `${d.driftedColumns} of ${d.testedColumns} columns drifted (share ${d.driftShare.toFixed(2)})`;
  const row = (c: ColumnDrift) => [c.column, c.kind, c.method, columnVerdict(c)];
  return html`<p>
      Inputs served by v${drift.version} vs its training data, ${when(drift.checkedMs)}: ${share}
      ${d.datasetDrift ? html`<strong class="error"> — drift</strong>` : null}
    </p>
    <${Table} columns=${['column', 'type', 'test', 'result']} items=${d.columns} row=${row} />`;
}

function AliasHistory({ moves }: { moves: AliasHistoryEntry[] }) {
  if (moves.length === 0) return html`<p class="muted">No alias has moved yet.</p>`;
  const v = (x: number | null) => (x === null ? '—' : `v${x}`);
  const row = (m: AliasHistoryEntry) => [
    when(m.atMs),
    m.alias,
    `${v(m.from)} → ${v(m.to)}`,
    m.action,
    m.actor,
    m.reason,
  ];
  return html`<${Table} columns=${['when', 'alias', 'move', 'action', 'by', 'why']} items=${moves} row=${row} />`;
}

function Registry(props: { model: string; versions: ModelVersion[]; token: string; onDone: () => void }) {
  const { model, versions, token, onDone } = props;
  const [message, setMessage] = useState<string | null>(null);
  const act = (verb: 'promote' | 'rollback', version?: number) => async () => {
    const body = version === undefined ? { reason: 'from the dashboard' } : { version, reason: 'from the dashboard' };
    try {
      await api(`/v1/models/${encodeURIComponent(model)}/${verb}`, token, { method: 'POST', body });
      setMessage(`${verb}${version === undefined ? '' : ` v${version}`}: done`);
      onDone();
    } catch (err) {
      const hint = (err as { status?: number }).status === 403 ? ' (needs an admin token)' : '';
      setMessage(`${verb} refused — ${(err as Error).message}${hint}`);
    }
  };
  const row = (v: ModelVersion) => [
    `v${v.version}`,
    v.aliases.join(', ') || '—',
    when(v.createdMs),
    v.runId ? html`<a href=${`#/runs/${v.runId}`}>${v.runId}</a>` : v.actor,
    v.datasetTag ?? '—',
    String(v.lineage.executor ?? '—'),
    v.aliases.includes('champion')
      ? ''
      : html`<button onClick=${act('promote', v.version)} aria-label=${`Promote v${v.version}`}>Promote</button>`,
  ];
  const columns = ['version', 'aliases', 'registered', 'run', 'dataset', 'trained by', ''];
  return html`<div class="actions">
      <button onClick=${act('rollback')}>Roll back the champion</button>
      ${message ? html`<p role="status">${message}</p>` : null}
    </div>
    ${versions.length ? html`<${Table} columns=${columns} items=${versions} row=${row} />` : html`<p>No versions.</p>`}
    ${versions.length > 1 ? html`<${Compare} versions=${versions} />` : null}`;
}

function Compare({ versions }: { versions: ModelVersion[] }) {
  const [a, setA] = useState(versions[1]!.version);
  const [b, setB] = useState(versions[0]!.version);
  const va = versions.find((v) => v.version === a) ?? versions[1]!;
  const vb = versions.find((v) => v.version === b) ?? versions[0]!;
  const metrics = numericMetrics([va, vb]);
  const pick = (value: number, set: (n: number) => void, label: string) =>
    html`<label
      >${label}
      <select value=${value} onChange=${(e: Event) => set(Number((e.target as HTMLSelectElement).value))}>
        ${versions.map((v) => html`<option value=${v.version}>v${v.version}</option>`)}
      </select></label
    >`;
  const row = (m: string) => {
    const x = va.metrics[m];
    const y = vb.metrics[m];
    const delta = typeof x === 'number' && typeof y === 'number' ? y - x : null;
    return [m, num(x), num(y), delta === null ? '—' : `${delta >= 0 ? '+' : ''}${num(delta)}`];
  };
  return html`<h3>Side by side</h3>
    <p>${pick(a, setA, 'Version A')} ${pick(b, setB, 'Version B')}</p>
    <${Table} columns=${['metric', `v${va.version}`, `v${vb.version}`, 'Δ (B − A)']} items=${metrics} row=${row} />`;
}
