/**
 * Reporting under GitHub Actions (`GITHUB_ACTIONS=true`): the inner reporter's text inside one
 * `::group::` per model line, a notice per retrain and a warning per blocked or failed line,
 * decisions in `$GITHUB_OUTPUT`, a Markdown table in `$GITHUB_STEP_SUMMARY`, `::add-mask::` for
 * every secret. Everything written is masked.
 */
import type { DecideResult } from '../decide/decide-all.js';
import { appendOutput, appendSummary, command } from '../github/workflow-commands.js';
import { renderView, renderDecide, renderIngest } from './human.js';
import { validationMarkdown } from '../datasets/validate.js';
import { MaskedOut } from './text-out.js';
import type { Reporter, View } from './views.js';

export interface GitHubEnv {
  GITHUB_OUTPUT?: string;
  GITHUB_STEP_SUMMARY?: string;
}

export class GitHubReporter implements Reporter {
  private readonly out: MaskedOut;
  constructor(
    private readonly env: GitHubEnv,
    private readonly stream: NodeJS.WritableStream = process.stdout,
  ) {
    this.out = new MaskedOut(stream);
  }

  /** `::add-mask::` must carry the value itself: the runner masks it from then on. */
  private rawWrite(text: string): void {
    this.stream.write(text);
  }

  addSecrets(values: readonly string[]): void {
    for (const v of values) if (!this.out.values.includes(v)) this.rawWrite(`::add-mask::${v}\n`);
    this.out.add(values);
  }

  report(view: View): void {
    if (view.kind === 'decide') {
      this.decide(view.command, view.result);
      for (const r of view.runs ?? []) {
        this.out.write(
          command(r.state === 'failed' ? 'error' : 'notice', `${r.runId} ${r.state}: ${r.outcome}`, {
            title: `refit run ${r.model}`,
          }),
        );
        this.output(`${r.model}-run-state`, r.state);
        this.output(`${r.model}-outcome`, r.outcome);
      }
      return;
    }
    if (view.kind === 'ingest') {
      this.out.write(renderIngest(view.summary) + '\n');
      for (const e of view.summary.errors)
        this.out.write(
          command('error', `${e.field ? `${e.field}: ` : ''}${e.reason}`, {
            file: e.file,
            line: e.line || undefined,
            title: 'refit ingest',
          }),
        );
      this.output('accepted', String(view.summary.accepted));
      this.output('rejected', String(view.summary.rejected));
      return;
    }
    this.out.write(renderView(view) + '\n');
    if (view.kind === 'drift') this.output('dataset-drift', String(view.report.datasetDrift));
    if (view.kind === 'dataset') this.output('dataset-version', view.dataset.tag);
    if (view.kind === 'validation') {
      for (const f of view.report.failures) this.out.write(command('error', f, { title: 'refit validate' }));
      if (this.env.GITHUB_STEP_SUMMARY)
        appendSummary(this.env.GITHUB_STEP_SUMMARY, this.out.mask(validationMarkdown(view.report)));
    }
  }

  private decide(cmd: 'plan' | 'run', r: DecideResult): void {
    for (const o of r.outcomes) {
      const single: DecideResult = { ...r, outcomes: [o] };
      const action = o.error ? 'error' : o.decision!.action;
      this.out.write(`::group::refit ${cmd}: ${o.model} → ${action}\n`);
      this.out.write(renderDecide(cmd, single) + '\n');
      this.out.write('::endgroup::\n');
      const text = o.error ?? o.decision!.reason;
      if (action === 'retrain') this.out.write(command('notice', text, { title: `refit ${o.model}` }));
      else if (action === 'blocked' || action === 'error')
        this.out.write(command('warning', text, { title: `refit ${o.model}` }));
      this.output(`${o.model}-decision`, action);
      this.output(`${o.model}-reason`, text);
      if (o.runId) this.output(`${o.model}-run`, o.runId);
    }
    this.output(
      'decisions',
      JSON.stringify(
        Object.fromEntries(
          r.outcomes.map((o) => [
            o.model,
            { decision: o.error ? 'error' : o.decision!.action, run: o.runId, reason: o.error ?? o.decision!.reason },
          ]),
        ),
      ),
    );
    const rows = r.outcomes.map(
      (o) =>
        `| ${o.model} | ${o.error ? 'error' : `**${o.decision!.action}**`} | ${o.runId ?? ''} | ${mdCell(o.error ?? o.decision!.reason)} |`,
    );
    const md = [
      `### refit ${cmd}${r.dryRun ? ' (dry run)' : ''}`,
      '',
      '| model | decision | run | reason |',
      '|---|---|---|---|',
      ...rows,
      '',
      '',
    ].join('\n');
    if (this.env.GITHUB_STEP_SUMMARY) appendSummary(this.env.GITHUB_STEP_SUMMARY, this.out.mask(md));
  }

  private output(name: string, value: string): void {
    if (this.env.GITHUB_OUTPUT) appendOutput(this.env.GITHUB_OUTPUT, name, this.out.mask(value));
  }
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
