/**
 * External APIs answering garbage: a local server that answers every request 200 with an HTML
 * page, truncated JSON, `null`, an array or an object of the wrong shape. Every remote executor
 * (HTTP job API — at submit and at a poll —, Hugging Face Space, GitHub workflow), an external
 * preparer's metadata and a deployment's sanity requests meet each: the run parks or fails with a
 * message naming the call and what was expected, never a TypeError or a raw JSON parser error.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, project, spamExamples } from './helpers/project.js';

const GARBAGE = {
  html: { type: 'text/html', body: '<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>' },
  truncated: { type: 'application/json', body: '{"id": "j1", "status_url": "/jo' },
  null: { type: 'application/json', body: 'null' },
  array: { type: 'application/json', body: '[1, 2, 3]' },
  wrong: {
    type: 'application/json',
    body: '{"id": 7, "state": {"nested": true}, "sha": 5, "stage": [], "workflow_runs": 3}',
  },
} as const;
type Mode = keyof typeof GARBAGE;

let server: Server;
let url = '';
let mode: Mode = 'html';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      // The job API of "http executor status" takes the job, then answers its status with garbage.
      if (req.method === 'POST' && req.url === '/polled/jobs') {
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ id: 'j1', status_url: '/polled/status/j1' }));
      }
      const g = GARBAGE[mode];
      res.writeHead(200, { 'content-type': g.type });
      res.end(g.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Each place refit reads a service's answer, as a model line's blocks. */
const callers = {
  'http executor': () => `    train:\n      executor: http\n      http: { url: "${url}/jobs", poll: 1s }\n`,
  'http executor status': () =>
    `    train:\n      executor: http\n      http: { url: "${url}/polled/jobs", poll: 1s }\n`,
  'hf-space executor': () =>
    `    train:\n      executor: hf-space\n` +
    `      hf_space: { space: acme/trainer, model_repo: acme/model, token: "hf_garbage_token_0123", poll: 1s }\n`,
  'github executor': () =>
    `    train:\n      executor: github\n` +
    `      github: { repo: acme/models, workflow: train.yml, token: "ghp_garbage_token_0123", poll: 1s }\n`,
  'external preparer': () =>
    `    prepare:\n      kind: webhook\n      url: "${url}/webhook"\n` +
    `      metadata: { url: "${url}/meta/dataset_metadata.json" }\n      poll: { interval: 1s }\n`,
  'deploy verification': () =>
    `    deploy: { target: serve, verify: { predict_url: "${url}/predict", sanity_requests: 3 } }\n`,
};

const CRASH =
  /TypeError|Cannot read properties|Unexpected token|is not a function|is not iterable|SyntaxError|undefined|in JSON at position/;
const CLEAR = /not JSON|another shape|not a zip archive|lacks a string|not valid JSON/;

describe('external APIs answering garbage', () => {
  for (const [caller, block] of Object.entries(callers)) {
    for (const m of Object.keys(GARBAGE) as Mode[]) {
      it(`${caller}, 200 with ${m}: a clear message, no crash`, async () => {
        mode = m;
        const config =
          `hub_url: ${url}\ngithub_api_url: ${url}\nretry: { attempts: 1 }\n` +
          `models:\n  spam:\n    labels: [ham, spam]\n${block()}`;
        const dir = project(config, { 'e.ndjson': spamExamples(40) });
        await cli(['ingest', 'e.ndjson'], { cwd: dir });
        const res = await cli(['run', '--force', 'spam', '--json'], { cwd: dir });
        let run = JSON.parse(res.stdout).runs[0] as { runId: string; state: string; outcome: string };
        if (run.outcome.includes('job submitted')) {
          // Taken: the garbage comes with the status, at the next poll.
          const polled = await cli(['run', '--wait', '20s', '--json'], { cwd: dir });
          run = JSON.parse(polled.stdout).runs[0];
        }
        // A preparer's status and a verification's reason are in the run's timeline.
        const shown = await cli(['runs', 'show', run.runId], { cwd: dir });
        const said = `${run.outcome}\n${shown.stdout}`;
        expect(said).not.toMatch(CRASH);
        expect(said).toMatch(CLEAR);
        expect(said).toContain('127.0.0.1');
        if (caller === 'http executor status') expect(said).toContain('checking job j1');
        expect(['failed', 'waiting']).toContain(run.state);
      });
    }
  }
});
