/** `--json`: one JSON document per command on stdout, masked like everything else. */
import type { Reporter, View } from './views.js';
import { MaskedOut } from './text-out.js';

export class JsonReporter implements Reporter {
  private readonly out: MaskedOut;
  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.out = new MaskedOut(stream);
  }
  addSecrets(values: readonly string[]): void {
    this.out.add(values);
  }
  report(view: View): void {
    const body =
      view.kind === 'decide'
        ? { command: view.command, ...view.result, runs: view.runs ?? [] }
        : view.kind === 'ingest'
          ? view.summary
          : view.kind === 'status'
            ? view.status
            : view.kind === 'drift'
              ? view.report
              : view.kind === 'datasets'
                ? view.datasets
                : view.kind === 'dataset'
                  ? { ...view.dataset, created: view.created }
                  : view.kind === 'validation'
                    ? view.report
                    : view.kind === 'preparation'
                      ? view.preparation
                      : view.kind === 'evaluation'
                        ? { metrics: view.metrics, champion: view.champion, gate: view.gate }
                        : view.kind === 'versions'
                          ? view.versions
                          : view.kind === 'version'
                            ? view.version
                            : view.kind === 'alias-change'
                              ? view.change
                              : view.kind === 'alias-history'
                                ? view.history
                                : view.kind === 'training'
                                  ? { job: view.job, metrics: view.metrics, version: view.version }
                                  : view.kind === 'runs'
                                    ? view.detail
                                      ? view.runs[0]
                                      : view.runs
                                    : { message: view.text, ...(view.data ? { data: view.data } : {}) };
    this.out.write(JSON.stringify(body, null, 2) + '\n');
  }
}
