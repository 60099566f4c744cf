/**
 * Real local receivers for notifications: an HTTP server that plays a Slack incoming webhook, a
 * generic webhook endpoint and the GitHub REST issues API (list, create, comment, edit a comment —
 * a pull request's comments are its issue's), with queued
 * faults; and an SMTP server (smtp-server) whose messages are parsed with mailparser.
 */
import type { IncomingMessage } from 'node:http';
import { listenLocal, type LocalServer } from './local-server.js';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface GhIssue {
  number: number;
  title: string;
  body: string;
  labels: { name: string }[];
  state: 'open' | 'closed';
  comments: GhComment[];
}

interface GhComment {
  id: number;
  body: string;
  html_url: string;
}

export class Receivers {
  requests: Received[] = [];
  /** Status codes to answer with next, per path prefix (then normal service resumes). */
  faults = new Map<string, number[]>();
  githubToken = 'ghp_test_token_abcdef123456';
  issues: GhIssue[] = [];
  private commentIds = 0;
  /** A deploy target: its health status and how it answers predict requests. */
  health = 200;
  predictFn: (input: Record<string, unknown>) => string = () => 'unknown';
  hfToken = 'hf_deploy_token_123456';
  url = '';
  private server: LocalServer | null = null;

  async start(): Promise<this> {
    this.server = await listenLocal((req, body, send) => {
      const path = req.url ?? '/';
      this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      for (const [prefix, codes] of this.faults) {
        if (path.startsWith(prefix) && codes.length) return send(codes.shift()!, 'fault');
      }
      if (path.startsWith('/slack/')) return send(200, 'ok');
      if (path === '/deploy/health') return send(this.health, this.health < 300 ? { status: 'ok' } : 'unhealthy');
      if (path === '/deploy/predict')
        return send(200, {
          predictions: (JSON.parse(body).inputs as Record<string, unknown>[]).map((i) => ({
            prediction: this.predictFn(i),
          })),
        });
      if (/^\/api\/spaces\/[^/]+\/[^/]+\/restart$/.test(path))
        return req.headers.authorization === `Bearer ${this.hfToken}`
          ? send(200, {})
          : send(401, { error: 'Invalid credentials' });
      if (path.startsWith('/hook')) return send(204, '');
      const edit = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path);
      if (edit && req.method === 'PATCH') {
        if (!this.authorized(req)) return send(401, { message: 'Bad credentials' });
        const c = this.issues.flatMap((i) => i.comments).find((x) => x.id === Number(edit[3]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = JSON.parse(body).body;
        return send(200, c);
      }
      const gh = /^\/repos\/([^/]+)\/([^/]+)\/issues(?:\/(\d+)\/comments)?(?:\?(.*))?$/.exec(path);
      if (gh) {
        if (!this.authorized(req)) return send(401, { message: 'Bad credentials' });
        const [, owner, name, num, query] = gh;
        if (num) {
          const issue = this.issues.find((i) => i.number === Number(num));
          if (!issue) return send(404, { message: 'Not Found' });
          if (req.method === 'POST') {
            const id = ++this.commentIds;
            const html_url = `https://github.com/${owner}/${name}/issues/${num}#issuecomment-${id}`;
            const c = { id, body: JSON.parse(body).body, html_url };
            issue.comments.push(c);
            return send(201, c);
          }
          return send(200, issue.comments);
        }
        if (req.method === 'POST') {
          const b = JSON.parse(body);
          const issue: GhIssue = {
            number: this.issues.length + 1,
            title: b.title,
            body: b.body,
            labels: (b.labels ?? []).map((name: string) => ({ name })),
            state: 'open',
            comments: [],
          };
          this.issues.push(issue);
          return send(201, issue);
        }
        const q = new URLSearchParams(query ?? '');
        const labels = q.get('labels')?.split(',').filter(Boolean) ?? [];
        const state = q.get('state') ?? 'open';
        return send(
          200,
          this.issues.filter(
            (i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.some((x) => x.name === l)),
          ),
        );
      }
      send(404, { message: 'Not Found' });
    });
    this.url = this.server.url;
    return this;
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    return auth === `Bearer ${this.githubToken}` || auth === `token ${this.githubToken}`;
  }

  to(prefix: string): Received[] {
    return this.requests.filter((r) => r.path.startsWith(prefix) && r.method === 'POST');
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

export class SmtpReceiver {
  mails: Mail[] = [];
  user = 'refit';
  password = 'smtp-secret-pw-42';
  /** Reply codes for the next messages (e.g. 451 temporary, 550 permanent). */
  rejectNext: number[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, cb) =>
        auth.username === this.user && auth.password === this.password
          ? cb(null, { user: auth.username })
          : cb(new Error('Invalid username or password')),
      onData: (stream, session, cb) => {
        const code = this.rejectNext.shift();
        simpleParser(stream)
          .then((m) => {
            if (code)
              return cb(
                Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), {
                  responseCode: code,
                }),
              );
            this.mails.push({
              from: m.from?.text ?? '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: m.subject ?? '',
              text: m.text ?? '',
              messageId: m.messageId ?? '',
            });
            cb();
          })
          .catch(cb);
      },
      logger: false,
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
