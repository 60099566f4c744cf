/**
 * A local HTTP server shaped like the parts of the Hugging Face Hub and GitHub REST API refit
 * uses: `POST /api/spaces/{id}/restart[?factory=true]`, `GET /api/spaces/{id}/runtime`,
 * `GET /datasets/{id}/resolve/{rev}/{path}`, `POST /repos/{o}/{r}/actions/workflows/{f}/dispatches`,
 * and a webhook receiver. Bearer auth is checked; faults (status codes, Retry-After, delays) can be
 * queued for the next metadata reads.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  status?: number;
  retryAfter?: string;
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export class FakeHub {
  token = 'hf_test_token_123456';
  /** The published dataset_metadata.json, or null for "not there yet" (404). */
  metadata: Record<string, unknown> | null = null;
  /** Applied on each restart/dispatch/webhook: what the preparer publishes after it ran. */
  onTrigger: (() => void) | null = null;
  /** Called with the Space id on each Space restart (after onTrigger). */
  onRestart: ((space: string) => void) | null = null;
  stage = 'RUNNING';
  /** runtime.errorMessage, shown with an error stage. */
  runtimeError: string | null = null;
  /** Space variables set through the API, per Space. */
  variables = new Map<string, Record<string, string>>();
  faults: Fault[] = [];
  /** Files committed through the commit API, per "type/repo" → path → content. */
  repos = new Map<string, Map<string, Buffer>>();
  commits: { repo: string; title: string; paths: string[] }[] = [];
  requests: RecordedRequest[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => void this.handle(req, body, res));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** What a training Space does when it is done: commit files to a model repo. */
  publishModel(repo: string, files: Record<string, string>): void {
    const key = `models/${repo}`;
    const r = this.repos.get(key) ?? new Map<string, Buffer>();
    for (const [p, c] of Object.entries(files)) r.set(p, Buffer.from(c));
    this.repos.set(key, r);
    this.commits.push({ repo: key, title: 'training Space published', paths: Object.keys(files) });
  }

  /** What a preparer does: files into a dataset repo (e.g. <tag>/train.jsonl and dataset_metadata.json). */
  publishDataset(repo: string, files: Record<string, string>): void {
    const key = `datasets/${repo}`;
    const r = this.repos.get(key) ?? new Map<string, Buffer>();
    for (const [p, c] of Object.entries(files)) r.set(p, Buffer.from(c));
    this.repos.set(key, r);
    this.commits.push({ repo: key, title: 'preparer published', paths: Object.keys(files) });
  }

  /** A file of a repo ("datasets/owner/name" or "models/owner/name"), as text. */
  file(repo: string, path: string): string | null {
    return this.repos.get(repo)?.get(path)?.toString('utf8') ?? null;
  }

  private headOf(key: string): string | null {
    const i = this.commits.map((c) => c.repo).lastIndexOf(key);
    return i < 0 ? null : `c${i + 1}`;
  }

  count(method: string, prefix: string): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length;
  }

  private async handle(req: IncomingMessage, body: string, res: import('node:http').ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    // The Hub takes `Bearer`; GitHub also `token` (Octokit's scheme).
    const github = path.startsWith('/repos/');
    const authed =
      req.headers.authorization === `Bearer ${this.token}` ||
      (github && req.headers.authorization === `token ${this.token}`);
    if (path.startsWith('/webhook')) {
      this.onTrigger?.();
      return json(202, { ok: true });
    }
    if (!authed) return json(401, { error: 'Invalid credentials in Authorization header' });
    let m: RegExpMatchArray | null;
    if (req.method === 'POST' && (m = path.match(/^\/api\/spaces\/([^/]+\/[^/?]+)\/restart(\?factory=true)?$/))) {
      this.stage = 'BUILDING';
      this.onTrigger?.();
      this.onRestart?.(m[1]!);
      return json(200, { stage: this.stage, hardware: { current: 'cpu-basic', requested: 'cpu-basic' } });
    }
    if (req.method === 'GET' && (m = path.match(/^\/api\/spaces\/([^/]+\/[^/]+)\/runtime$/)))
      return json(200, { stage: this.stage, ...(this.runtimeError ? { errorMessage: this.runtimeError } : {}) });
    if (req.method === 'POST' && (m = path.match(/^\/api\/spaces\/([^/]+\/[^/]+)\/variables$/))) {
      const b = JSON.parse(body) as { key: string; value: string };
      this.variables.set(m[1]!, { ...this.variables.get(m[1]!), [b.key]: b.value });
      return json(200, {});
    }
    if (req.method === 'POST' && (m = path.match(/^\/api\/spaces\/([^/]+\/[^/]+)\/pause$/))) {
      this.stage = 'PAUSED';
      return json(200, { stage: 'PAUSED' });
    }
    if (req.method === 'GET' && (m = path.match(/^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/?]+)$/))) {
      const key = `models/${m[1]}`;
      const head = this.headOf(key);
      if (!head) return json(404, { error: 'Repository not found' });
      return json(200, {
        id: m[1],
        sha: head,
        siblings: [...(this.repos.get(key)?.keys() ?? [])].map((rfilename) => ({ rfilename })),
      });
    }
    if (
      req.method === 'GET' &&
      (m = path.match(/^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/)) &&
      this.repos.get(`models/${m[1]}`)?.has(m[2]!)
    ) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.end(this.repos.get(`models/${m[1]}`)!.get(m[2]!));
    }
    if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/.test(path)) {
      this.onTrigger?.();
      res.writeHead(204);
      return void res.end();
    }
    if (req.method === 'POST' && (m = path.match(/^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/preupload\/([^/?]+)/))) {
      const files = (JSON.parse(body).files as { path: string }[]).map((f) => ({
        path: f.path,
        uploadMode: 'regular',
        shouldIgnore: false,
      }));
      return json(200, { files, commitOid: 'parent0' });
    }
    if (req.method === 'POST' && (m = path.match(/^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/commit\/([^/?]+)/))) {
      const key = `${m[1]}/${m[2]}`;
      const repo = this.repos.get(key) ?? new Map<string, Buffer>();
      const lines = body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { key: string; value: { path?: string; content?: string; summary?: string } });
      const paths: string[] = [];
      for (const l of lines)
        if (l.key === 'file')
          (repo.set(l.value.path!, Buffer.from(l.value.content!, 'base64')), paths.push(l.value.path!));
      this.repos.set(key, repo);
      const title = lines.find((l) => l.key === 'header')?.value.summary ?? '';
      this.commits.push({ repo: key, title, paths });
      return json(200, {
        commitOid: `c${this.commits.length}`,
        commitUrl: `${this.url}/${m[2]}/commit/c${this.commits.length}`,
      });
    }
    if (
      req.method === 'GET' &&
      (m = path.match(/^\/datasets\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/)) &&
      this.repos.get(`datasets/${m[1]}`)?.has(m[2]!)
    ) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.end(this.repos.get(`datasets/${m[1]}`)!.get(m[2]!));
    }
    if (req.method === 'GET' && /^\/datasets\/[^/]+\/[^/]+\/resolve\/[^/]+\/.+$/.test(path)) {
      const fault = this.faults.shift();
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.status)
        return json(
          fault.status,
          { error: `injected ${fault.status}` },
          fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
        );
      if (!this.metadata) return json(404, { error: 'Entry not found' });
      return json(200, this.metadata);
    }
    return json(404, { error: `no route ${req.method} ${path}` });
  }
}

export function meta(tag: string, n: number): Record<string, unknown> {
  return {
    dataset_name: 'owner/spam-prepared',
    version_tag: tag,
    num_samples: n,
    splits: {
      train: Math.round(n * 0.8),
      eval: Math.round(n * 0.1),
      test: n - Math.round(n * 0.8) - Math.round(n * 0.1),
    },
    created_at: '2026-11-22T03:12:00Z',
  };
}
