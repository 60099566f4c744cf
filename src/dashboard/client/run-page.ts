/// <reference lib="dom" />
/**
 * One run: its state and outcome, the decision that queued it, the step timeline with durations
 * and errors, the live training log, the gate's checks, and the actions a person can take on it
 * (approve or reject while it awaits approval, cancel while it is in flight, retry once it failed),
 * and its dataset validation report — refused by the API
 * without an admin token, and said so here.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { MetricDelta, RunStory } from '../../report/run-story.js';
import type { StepView } from '../../stores/steps.js';
import { progressOf, progressText } from '../../training/progress.js';
import { api, took, usePoll, when } from './api.js';
import { Table } from './table.js';

const num = (v: number | null) => (v === null ? '—' : String(Number(v.toFixed(4))));
const IN_FLIGHT = ['queued', 'running', 'waiting', 'awaiting_approval'];

export function RunPage({ id, token }: { id: string; token: string }) {
  const [live, setLive] = useState(true);
  const story = usePoll(() => api<RunStory>(`/v1/runs/${id}/story`, token), 2000, `${id}:${token}`, live);
  const logs = usePoll(() => api<string>(`/v1/runs/${id}/logs`, token), 2000, `logs:${id}:${token}`, live);
  const s = story.data;
  if (s && live && !IN_FLIGHT.includes(s.run.state)) setLive(false);
  if (story.error && !s) return html`<p class="error" role="alert">${story.error}</p>`;
  if (!s) return html`<p>Loading…</p>`;
  const r = s.run;
  return html`
    <p><a href="#/">← all model lines</a></p>
    <h1>${r.model} · run ${r.id} <span class=${`state ${r.state}`}>${r.state}</span></h1>
    <p class="outcome">${r.outcome ?? 'in progress'}</p>
    <${Actions} story=${s} token=${token} onDone=${() => (setLive(true), story.reload())} />
    <h2>Decision</h2>
    <p>${r.reason} <span class="muted">(${r.actor}, ${when(r.createdMs)})</span></p>
    <h2>Steps</h2>
    <${Table}
      columns=${['step', 'state', 'took', 'attempts', 'error']}
      items=${r.steps ?? []}
      row=${(st: StepView) => [st.step, st.state, took(st.startedMs, st.finishedMs), st.attempts, st.error ?? '']}
    />
    ${s.evaluation ? html`<${Evaluation} story=${s} />` : null} ${s.gate ? html`<${Gate} gate=${s.gate} />` : null}
    <${ValidationReport}
      id=${id}
      token=${token}
      ran=${(r.steps ?? []).some((st) => st.step === 'validate' && st.finishedMs)}
    />
    <${TrainingProgress} log=${live ? logs.data : null} />
    <h2>Training log</h2>
    <pre class="log" aria-live="polite">${logs.data || (logs.error ? 'no training log yet' : '…')}</pre>
  `;
}

/** The run's validation page (self-contained HTML, fetched with the token), in a sandboxed frame. */
function ValidationReport({ id, token, ran }: { id: string; token: string; ran: boolean }) {
  const page = usePoll(
    () => api<string>(`/v1/runs/${id}/reports/validation.html`, token),
    60_000,
    `v:${id}:${ran}`,
    false,
  );
  if (!ran || !page.data) return null;
  return html`<h2>Dataset validation</h2>
    <iframe class="report" title="Dataset validation report" sandbox="" srcdoc=${page.data}></iframe>`;
}

/** How far the training is, from its log, while the run is in flight. */
function TrainingProgress({ log }: { log: string | null }) {
  const p = progressOf(log);
  if (!p) return null;
  return html`<p>
    <label for="train-progress">Training: ${progressText(p)}</label>
    <progress id="train-progress" max=${p.total} value=${p.done}></progress>
  </p>`;
}

function Evaluation({ story }: { story: RunStory }) {
  const e = story.evaluation!;
  const champion = e.championVersion === null ? 'no champion' : `champion v${e.championVersion}`;
  return html`<h2>Candidate vs ${champion}</h2>
    <p class="muted">On the same ${e.rows} test rows.</p>
    <${Table}
      columns=${['metric', 'candidate', 'champion', 'Δ']}
      items=${e.deltas}
      row=${(d: MetricDelta) => [d.metric, num(d.candidate), num(d.champion), num(d.delta)]}
    />`;
}

function Gate({ gate }: { gate: NonNullable<RunStory['gate']> }) {
  return html`<h2>Gate: ${gate.blessed ? 'blessed' : 'rejected'}</h2>
    <ul class="checks">
      ${gate.checks.map((c) => {
        const verdict = c.skipped ? 'skip' : c.passed ? 'pass' : 'fail';
        return html`<li class=${verdict}>${verdict === 'fail' ? 'FAIL' : verdict}: ${c.reason}</li>`;
      })}
    </ul>`;
}

function Actions({ story, token, onDone }: { story: RunStory; token: string; onDone: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const state = story.run.state;
  if (!IN_FLIGHT.includes(state) && state !== 'failed') return null;
  const act = (verb: 'approve' | 'reject' | 'cancel' | 'retry') => async () => {
    try {
      await api(`/v1/runs/${story.run.id}/${verb}`, token, { method: 'POST', body: { reason } });
      setMessage(`${verb}: done`);
      onDone();
    } catch (err) {
      const hint = (err as { status?: number }).status === 403 ? ' (needs an admin token)' : '';
      setMessage(`${verb} refused — ${(err as Error).message}${hint}`);
    }
  };
  const awaiting = state === 'awaiting_approval';
  return html`<div class="actions">
    ${awaiting ? html`<p><strong>This run awaits approval</strong>: ${story.run.outcome}</p>` : null}
    <label
      >Reason <input value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLInputElement).value)}
    /></label>
    ${awaiting ? html`<button onClick=${act('approve')}>Approve</button> ` : null}
    ${awaiting ? html`<button onClick=${act('reject')}>Reject</button> ` : null}
    ${
      state === 'failed'
        ? html`<button onClick=${act('retry')}>Retry from the failed step</button>`
        : html`<button onClick=${act('cancel')}>Cancel run</button>`
    }
    ${message ? html`<p role="status">${message}</p>` : null}
  </div>`;
}
