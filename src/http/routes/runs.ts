/**
 * `GET /v1/runs` and `GET /v1/runs/:id` (scope read): the runs' read model, the same as `refit
 * runs --json`; `POST /v1/runs/:id/approve|reject|cancel|retry` (admin), the same as `refit approve`,
 * `refit reject`, `refit cancel` and `refit retry`, recorded with the token's name as the actor;
 * `GET /v1/runs/:id/logs[?follow=true]` (read): the run's training log as text, streamed while it runs;
 * `GET /v1/runs/:id/reports/:file` (read): its validation and gate reports (named files only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/errors.js';
import { cancelRun, judgeRun, retryRun } from '../../pipeline/control.js';
import { advanceDueRuns } from '../../pipeline/tick.js';
import { actorOf } from '../auth.js';
import { getRun, listRuns } from '../../stores/runs.js';
import { jobOf, logChunks } from '../../training/job-logs.js';
import type { RouteContext } from './context.js';

const MAX_LIMIT = 500;

/** The files of a run's reports folder that can be read over HTTP, and their types. */
const REPORT_FILES: Record<string, string> = {
  'validation.html': 'text/html; charset=utf-8',
  'validation.md': 'text/markdown; charset=utf-8',
  'validation.json': 'application/json',
  'gate.md': 'text/markdown; charset=utf-8',
  'gate.json': 'application/json',
};

export function runRoutes(server: FastifyInstance, rc: RouteContext): void {
  server.get('/v1/runs', { preHandler: rc.auth('read') }, async (req) => {
    const q = req.query as { model?: string; limit?: string };
    const asked = Number(q.limit ?? 50);
    const limit = Number.isInteger(asked) && asked > 0 ? Math.min(MAX_LIMIT, asked) : 50;
    return listRuns(rc.app.store, { model: q.model, limit });
  });
  server.get('/v1/runs/:id', { preHandler: rc.auth('read') }, async (req) => {
    const { id } = req.params as { id: string };
    const run = await getRun(rc.app.store, id, { steps: true });
    if (!run) throw new NotFoundError(`no run ${id}: see GET /v1/runs`);
    return run;
  });
  const reasonOf = (body: unknown) => {
    const r = (body ?? {}) as { reason?: unknown };
    return typeof r.reason === 'string' ? r.reason : '';
  };
  for (const verdict of ['approved', 'rejected'] as const) {
    const path = `/v1/runs/:id/${verdict === 'approved' ? 'approve' : 'reject'}`;
    server.post(path, { preHandler: rc.auth('admin') }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const approval = await rc.serialize(() => judgeRun(rc.app, id, verdict, actorOf(req), reasonOf(req.body)));
      // The run goes on in the background, in turn with the scheduler.
      void rc
        .serialize(() => advanceDueRuns(rc.app, rc.owner, [approval.model]))
        .catch((err) => rc.app.logger.error('advancing failed', { error: (err as Error).message }));
      return reply.code(202).send({ run: id, ...approval });
    });
  }
  server.get('/v1/runs/:id/logs', { preHandler: rc.auth('read') }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const follow = (req.query as { follow?: string }).follow === 'true';
    await jobOf(rc.app, id); // 404 for an unknown run, before the stream starts
    reply.type('text/plain; charset=utf-8');
    if (!follow) {
      let text = '';
      for await (const chunk of logChunks(rc.app, id, false)) text += chunk;
      return text;
    }
    // Chunked: each new piece of the log as it is written, until the job ends.
    const { Readable } = await import('node:stream');
    return reply.send(Readable.from(logChunks(rc.app, id, true)));
  });
  server.get('/v1/runs/:id/reports/:file', { preHandler: rc.auth('read') }, async (req, reply) => {
    const { id, file } = req.params as { id: string; file: string };
    const type = REPORT_FILES[file];
    if (!type) throw new NotFoundError(`no report "${file}": one of ${Object.keys(REPORT_FILES).join(', ')}`);
    const run = await getRun(rc.app.store, id, { steps: false });
    if (!run) throw new NotFoundError(`no run ${id}: see GET /v1/runs`);
    const path = join(rc.app.config.artifactsDir, 'reports', run.model, run.id, file);
    if (!existsSync(path)) throw new NotFoundError(`run ${id} has no ${file} (it did not reach that step)`);
    // A report is data, never a page that runs code: no script, no external fetch, in any browser.
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    reply.header('x-content-type-options', 'nosniff');
    return reply.type(type).send(readFileSync(path));
  });
  server.post('/v1/runs/:id/retry', { preHandler: rc.auth('admin') }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const retried = await rc.serialize(() => retryRun(rc.app, id, actorOf(req)));
    const run = await getRun(rc.app.store, id);
    void rc
      .serialize(() => advanceDueRuns(rc.app, rc.owner, [run!.model]))
      .catch((err) => rc.app.logger.error('advancing failed', { error: (err as Error).message }));
    return reply.code(202).send(retried);
  });
  server.post('/v1/runs/:id/cancel', { preHandler: rc.auth('admin') }, async (req) => {
    const { id } = req.params as { id: string };
    return cancelRun(rc.app, id, actorOf(req), reasonOf(req.body) || 'cancelled over HTTP');
  });
}
