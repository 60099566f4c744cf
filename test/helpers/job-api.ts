/**
 * A local training-job API shaped like refit's HTTP job executor contract: submit (signed, the
 * dataset inline; the same key returns the same job), status with logs and outputs, output
 * download, cancel. Jobs really train: the server runs refit's built-in trainer on the submitted
 * train split, so the model it returns predicts. Modes per job: "ok", "fail", "hang".
 */
import { listenLocal, type LocalServer } from './local-server.js';
import { verifySignature } from '../../src/integrations/sign.js';
import { trainModel } from '../../src/ml/train/model.js';

interface Job {
  id: string;
  key: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  polls: number;
  model: string | null;
  signatureOk: boolean;
}

export class JobApi {
  secret = 'job-api-secret-123';
  token = 'job-api-token-abcdef123';
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  /** Polls a job answers "running" before it is done. */
  pollsToFinish = 2;
  jobs: Job[] = [];
  submissions = 0;
  cancels: string[] = [];
  url = '';
  private server: LocalServer | null = null;

  async start(): Promise<this> {
    this.server = await listenLocal((req, body, send, res) => {
      const path = req.url ?? '/';
      if (req.method === 'POST' && path === '/jobs') {
        this.submissions++;
        const b = JSON.parse(body) as {
          key: string;
          task: string;
          params: Record<string, unknown>;
          dataset: { train: string };
        };
        let job = this.jobs.find((j) => j.key === b.key);
        if (!job) {
          job = {
            id: `job-${this.jobs.length + 1}`,
            key: b.key,
            state: 'queued',
            polls: 0,
            model: null,
            signatureOk: verifySignature(this.secret, body, req.headers['x-refit-signature'] as string),
          };
          this.jobs.push(job);
          if (this.mode === 'ok') {
            const rows = b.dataset.train
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as { input: Record<string, unknown>; label: string });
            job.model = JSON.stringify(trainModel(rows, b.task as never, { maxIter: 20 }));
          }
        }
        return send(201, { id: job.id, status_url: `/jobs/${job.id}`, cancel_url: `/jobs/${job.id}/cancel` });
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { error: 'bad token' });
      const m = /^\/jobs\/([^/]+)(\/cancel|\/files\/model\.json)?$/.exec(path);
      const job = m ? this.jobs.find((j) => j.id === m[1]) : undefined;
      if (!job) return send(404, { error: 'no such job' });
      if (m![2] === '/cancel') {
        this.cancels.push(job.id);
        job.state = 'cancelled';
        return send(200, { state: 'cancelled' });
      }
      if (m![2])
        return job.model
          ? (res.writeHead(200, { 'content-type': 'application/json' }), res.end(job.model))
          : send(404, { error: 'no output' });
      if (job.state === 'queued' || job.state === 'running') {
        job.polls++;
        job.state =
          this.mode === 'hang' || job.polls <= this.pollsToFinish
            ? 'running'
            : this.mode === 'ok'
              ? 'succeeded'
              : 'failed';
      }
      return send(200, {
        state: job.state,
        logs: [`epoch ${job.polls}`],
        ...(job.state === 'failed' ? { error: 'CUDA out of memory' } : {}),
        ...(job.state === 'succeeded'
          ? { outputs: [{ path: 'model.json', url: `/jobs/${job.id}/files/model.json` }] }
          : {}),
      });
    });
    this.url = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
