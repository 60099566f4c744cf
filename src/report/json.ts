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
    this.out.write(JSON.stringify(jsonBody(view), null, 2) + '\n');
  }
}

/** The document of a view: its data, as `--json` prints it. */
export function jsonBody(view: View): unknown {
  switch (view.kind) {
    case 'decide':
      return { command: view.command, ...view.result, runs: view.runs ?? [] };
    case 'ingest':
      return view.summary;
    case 'status':
      return view.status;
    case 'drift':
    case 'validation':
      return view.report;
    case 'datasets':
      return view.datasets;
    case 'dataset':
      return { ...view.dataset, created: view.created };
    case 'preparation':
      return view.preparation;
    case 'evaluation':
      return { metrics: view.metrics, champion: view.champion, gate: view.gate };
    case 'versions':
      return view.versions;
    case 'version':
      return view.version;
    case 'alias-change':
      return view.change;
    case 'alias-history':
      return view.history;
    case 'training':
      return { job: view.job, metrics: view.metrics, champion: view.champion, gate: view.gate, version: view.version };
    case 'runs':
      return view.detail ? view.runs[0] : view.runs;
    case 'run-report':
      return view.story;
    case 'message':
      return { message: view.text, ...(view.data ? { data: view.data } : {}) };
  }
}
