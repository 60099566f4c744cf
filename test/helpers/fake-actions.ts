/**
 * A local server shaped like the GitHub Actions REST API for one repository: workflow_dispatch,
 * listing a workflow's runs (with the run-name as display_title), a run's status and conclusion,
 * its artifacts (the download answers a redirect to a real zip), cancel. Dispatched runs really
 * train — refit's built-in trainer on `rows` — so the artifact holds a working model.json.
 */
import { listenLocal, type LocalServer } from './local-server.js';
import { zipSync, strToU8 } from 'fflate';
import { trainModel } from '../../src/ml/train/model.js';

interface Run {
  id: number;
  display_title: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  polls: number;
  inputs: Record<string, string>;
}

export class FakeActions {
  token = 'ghp_actions_token_123456';
  mode: 'success' | 'failure' | 'hang' = 'success';
  runs: Run[] = [];
  dispatches = 0;
  cancels: number[] = [];
  rows: { input: Record<string, unknown>; label: string }[] = [];
  url = '';
  private server: LocalServer | null = null;

  async start(): Promise<this> {
    this.server = await listenLocal((req, body, send, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path.startsWith('/blob/')) {
        const zip = zipSync({
          'model.json': strToU8(JSON.stringify(trainModel(this.rows, 'text-classification', { maxIter: 20 }))),
        });
        res.writeHead(200, { 'content-type': 'application/zip' });
        return res.end(Buffer.from(zip));
      }
      // GitHub takes a token as `Bearer` or `token` (Octokit sends the latter).
      const auth = req.headers.authorization;
      if (auth !== `Bearer ${this.token}` && auth !== `token ${this.token}`)
        return send(401, { message: 'Bad credentials' });
      let m: RegExpExecArray | null;
      // The artifact download redirects to blob storage, as GitHub's does.
      if (
        (m = /^\/download\/(\d+)$/.exec(path)) ||
        (m = /^\/repos\/acme\/models\/actions\/artifacts\/(\d+)\/zip$/.exec(path))
      ) {
        res.writeHead(302, { location: `${this.url}/blob/${m[1]}` });
        return res.end();
      }
      if (
        req.method === 'POST' &&
        (m = /^\/repos\/acme\/models\/actions\/workflows\/([^/]+)\/dispatches$/.exec(path))
      ) {
        this.dispatches++;
        const b = JSON.parse(body) as { ref: string; inputs: Record<string, string> };
        this.runs.push({
          id: 9000 + this.runs.length,
          display_title: `refit ${b.inputs.refit_key}`,
          status: 'queued',
          conclusion: null,
          polls: 0,
          inputs: b.inputs,
        });
        return send(204);
      }
      if (req.method === 'GET' && /^\/repos\/acme\/models\/actions\/workflows\/[^/]+\/runs$/.test(path)) {
        return send(200, {
          total_count: this.runs.length,
          workflow_runs: [...this.runs].reverse().map((r) => this.view(r)),
        });
      }
      const run = (m = /^\/repos\/acme\/models\/actions\/runs\/(\d+)(\/artifacts|\/cancel)?$/.exec(path))
        ? this.runs.find((r) => r.id === Number(m![1]))
        : undefined;
      if (!run) return send(404, { message: 'Not Found' });
      if (m![2] === '/cancel') {
        if (run.status === 'completed')
          return send(409, { message: 'Cannot cancel a workflow run that is completed.' });
        this.cancels.push(run.id);
        run.status = 'completed';
        run.conclusion = 'cancelled';
        return send(202, {});
      }
      if (m![2] === '/artifacts')
        return send(200, {
          total_count: 1,
          artifacts:
            run.conclusion === 'success'
              ? [{ id: run.id, name: 'model', expired: false, archive_download_url: `${this.url}/download/${run.id}` }]
              : [],
        });
      if (run.status !== 'completed') {
        run.polls++;
        if (this.mode !== 'hang' && run.polls > 2) {
          run.status = 'completed';
          run.conclusion = this.mode;
        } else run.status = 'in_progress';
      }
      return send(200, this.view(run));
    });
    this.url = this.server.url;
    return this;
  }

  private view(r: Run) {
    return {
      id: r.id,
      name: 'train',
      display_title: r.display_title,
      status: r.status,
      conclusion: r.conclusion,
      html_url: `https://github.com/acme/models/actions/runs/${r.id}`,
    };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
