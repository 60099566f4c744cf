/**
 * Reporting under GitHub Actions (`GITHUB_ACTIONS=true`), through @actions/core: every secret
 * masked (`::add-mask::`) before anything else is printed; every log line of a model line inside
 * a `::group::` named for it, as it happens; per model line a group with the decision, the
 * concrete actions, the runs' outcomes and the monitor's verdicts, a notice or warning, outputs
 * (`<model>-decision`, `-run`, `-state`, `-outcome`, `decisions` as JSON) and a job summary with
 * each decision and each run's final state. Everything written is masked.
 */
import { statSync } from 'node:fs';
import { Writable } from 'node:stream';
import * as core from '@actions/core';
import { ConfigError, type RefitError } from '../core/errors.js';
import type { DecideResult, ModelOutcome } from '../decide/decide-all.js';
import { validationMarkdown } from '../datasets/validate.js';
import { prettyLine } from '../logging/pino-logger.js';
import type { MonitorResult } from '../monitor/monitor.js';
import type { AdvanceResult } from '../pipeline/settle.js';
import { renderDecide, renderIngest, renderView } from './human.js';
import { mdCell } from './markdown.js';
import { trainMarkdown } from './train-report-md.js';
import { MaskedOut } from './text-out.js';
import type { Reporter, View } from './views.js';
import { LINE_OUTPUT, lineOutput, OUTPUT } from '../action/io.js';

/** GitHub's limit of one step's summary. */
export const SUMMARY_LIMIT = 1024 * 1024;

export class GitHubReporter implements Reporter {
  private readonly out: MaskedOut;
  /** The model line whose log group is open, if any. */
  private openGroup: string | null = null;
  /** Summary writes in flight (awaited by close). */
  private writes: Promise<unknown> = Promise.resolve();

  constructor() {
    this.out = new MaskedOut(process.stdout);
  }

  addSecrets(values: readonly string[]): void {
    // `::add-mask::` carries the value itself: the runner masks it from then on.
    for (const v of values) if (!this.out.values.includes(v)) core.setSecret(v);
    this.out.add(values);
  }

  /**
   * Where log lines go (pino JSON, one per line): each shown as a short human line, lines of a
   * model line inside its group, the group changing when the model line does.
   */
  logSink(): NodeJS.WritableStream {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) this.logLine(line);
        cb();
      },
    });
  }

  private logLine(json: string): void {
    let model: string | null = null;
    try {
      const m = (JSON.parse(json) as { model?: unknown }).model;
      model = typeof m === 'string' ? m : null;
    } catch {
      /* not JSON: shown as it is */
    }
    if (model !== this.openGroup) {
      this.closeGroup();
      if (model) {
        core.startGroup(this.out.mask(`refit: ${model}`));
        this.openGroup = model;
      }
    }
    core.info(this.out.mask(prettyLine(json).trimEnd()));
  }

  private closeGroup(): void {
    if (this.openGroup === null) return;
    core.endGroup();
    this.openGroup = null;
  }

  report(view: View): void {
    this.closeGroup();
    if (view.kind === 'decide') return this.decide(view.command, view.result, view.runs ?? [], view.monitored ?? []);
    if (view.kind === 'ingest') {
      core.info(this.out.mask(renderIngest(view.summary)));
      for (const e of view.summary.errors) {
        const message = this.out.mask(`${e.field ? `${e.field}: ` : ''}${e.reason}`);
        core.error(message, { file: e.file, startLine: e.line || undefined, title: 'refit ingest' });
      }
      this.output(OUTPUT.accepted, String(view.summary.accepted));
      this.output(OUTPUT.rejected, String(view.summary.rejected));
      return;
    }
    core.info(this.out.mask(renderView(view)));
    if (view.kind === 'run-report') this.summary(view.markdown);
    if (view.kind === 'training') this.summary(trainMarkdown(view));
    if (view.kind === 'drift') this.output(OUTPUT.datasetDrift, String(view.report.datasetDrift));
    if (view.kind === 'dataset') this.output(OUTPUT.datasetVersion, view.dataset.tag);
    if (view.kind === 'validation') {
      for (const f of view.report.failures) core.error(this.out.mask(f), { title: 'refit validate' });
      this.summary(validationMarkdown(view.report));
    }
  }

  /**
   * A failed command as annotations: each config issue on its file and line
   * (`refit.yaml:14: models.spam…: …`), anything else as one error.
   */
  failure(err: RefitError): void {
    this.closeGroup();
    const issues = err instanceof ConfigError ? err.issues : [err.message];
    for (const issue of issues) {
      const m = /^([^:\s]+\.ya?ml):(\d+)(?::(\d+))?: (.*)$/s.exec(issue);
      const props = m ? { file: m[1], startLine: Number(m[2]), title: 'refit config' } : { title: 'refit' };
      core.error(this.out.mask(m ? m[4]! : issue), props);
    }
  }

  /** Closes an open log group and finishes the summary (the command ends). */
  async close(): Promise<void> {
    this.closeGroup();
    await this.writes;
  }

  private decide(cmd: 'plan' | 'run', r: DecideResult, runs: AdvanceResult[], monitored: MonitorResult[]): void {
    for (const o of r.outcomes) this.decideLine(cmd, r, o, runs, monitored);
    const decisions = r.outcomes.map((o) => {
      const run = runs.find((x) => x.model === o.model);
      const d = { decision: actionOf(o), run: o.runId ?? run?.runId ?? null, reason: o.error ?? o.decision!.reason };
      return [o.model, { ...d, state: run?.state ?? null, outcome: run?.outcome ?? null }];
    });
    this.output(OUTPUT.decisions, JSON.stringify(Object.fromEntries(decisions)));
    this.summary(summaryMarkdown(cmd, r, runs));
  }

  private decideLine(
    cmd: 'plan' | 'run',
    r: DecideResult,
    o: ModelOutcome,
    runs: AdvanceResult[],
    monitored: MonitorResult[],
  ) {
    const action = actionOf(o);
    const mine = runs.filter((x) => x.model === o.model);
    const verdicts = monitored.filter((m) => m.model === o.model && m.action !== 'none');
    core.startGroup(this.out.mask(`refit ${cmd}: ${o.model} → ${action}`));
    core.info(this.out.mask(renderDecide(cmd, { ...r, outcomes: [o] })));
    for (const x of mine) core.info(this.out.mask(`run ${x.runId}: ${x.state} — ${x.outcome}`));
    for (const m of verdicts) core.info(this.out.mask(`monitor: ${m.action.replace('_', ' ')} — ${m.reason}`));
    core.endGroup();
    const text = this.out.mask(o.error ?? o.decision!.reason);
    const title = `refit ${o.model}`;
    if (action === 'retrain') core.notice(text, { title });
    else if (action === 'blocked' || action === 'error') core.warning(text, { title });
    for (const x of mine) {
      const message = this.out.mask(`${x.runId} ${x.state}: ${x.outcome}`);
      if (x.state === 'failed') core.error(message, { title: `refit run ${x.model}` });
      else core.notice(message, { title: `refit run ${x.model}` });
    }
    this.output(lineOutput(o.model, LINE_OUTPUT.decision), action);
    this.output(lineOutput(o.model, LINE_OUTPUT.reason), text);
    const run = o.runId ?? mine[0]?.runId;
    if (run) this.output(lineOutput(o.model, LINE_OUTPUT.run), run);
    const last = mine[mine.length - 1];
    if (last) {
      this.output(lineOutput(o.model, LINE_OUTPUT.state), last.state);
      this.output(lineOutput(o.model, LINE_OUTPUT.outcome), last.outcome);
    }
  }

  private output(name: string, value: string): void {
    if (process.env.GITHUB_OUTPUT) core.setOutput(name, this.out.mask(value));
  }

  /** Appends Markdown to the job summary unless that would pass GitHub's 1 MiB. */
  private summary(markdown: string): boolean {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file) return false;
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    const text = this.out.mask(markdown);
    if (size + Buffer.byteLength(text) > SUMMARY_LIMIT) return false;
    const write = core.summary.addRaw(text).write();
    this.writes = this.writes.then(() => write);
    return true;
  }
}

function actionOf(o: ModelOutcome): string {
  return o.error ? 'error' : o.decision!.action;
}

function summaryMarkdown(cmd: 'plan' | 'run', r: DecideResult, runs: AdvanceResult[]): string {
  const rows = r.outcomes.map((o) => {
    const action = o.error ? 'error' : `**${o.decision!.action}**`;
    return `| ${o.model} | ${action} | ${o.runId ?? ''} | ${mdCell(o.error ?? o.decision!.reason)} |`;
  });
  const lines = [
    `### refit ${cmd}${r.dryRun ? ' (dry run)' : ''}`,
    '',
    '| model | decision | run | reason |',
    '|---|---|---|---|',
    ...rows,
    '',
  ];
  if (runs.length) {
    lines.push('| run | model | state | outcome |', '|---|---|---|---|');
    for (const x of runs) lines.push(`| ${x.runId} | ${x.model} | **${x.state}** | ${mdCell(x.outcome)} |`);
    lines.push('');
  }
  const planned = r.outcomes.filter((o) => o.actions.length);
  for (const o of planned) {
    lines.push(`<details><summary>${o.model}: what the run ${r.dryRun ? 'would do' : 'does'}</summary>`, '');
    lines.push(...o.actions.map((a, i) => `${i + 1}. ${a}`), '', '</details>', '');
  }
  return lines.join('\n') + '\n';
}
