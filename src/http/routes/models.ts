/**
 * Model lines over HTTP: `GET /v1/models/:model` (its status, monitor verdicts, aliases and their
 * history, the last production drift per column) and
 * `GET /v1/models/:model/versions` (read); `POST .../promote`,
 * `.../rollback` and `.../retrain` (admin) — a manual or webhook trigger (e.g. from
 * `repository_dispatch`) that queues a run and advances it in the background.
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/errors.js';
import { decideAll } from '../../decide/decide-all.js';
import { advanceDueRuns } from '../../pipeline/tick.js';
import { rollback } from '../../registry/registry.js';
import { promoteServable } from '../../serving/servable.js';
import { listVersions } from '../../stores/versions.js';
import { aliasesOf, aliasHistory } from '../../stores/aliases.js';
import { actorOf } from '../auth.js';
import { driftState } from '../../stores/monitoring.js';
import { lineStatus } from '../../status/status.js';
import type { RouteContext } from './context.js';

/** Alias moves shown with a line, newest first. */
const HISTORY_LIMIT = 50;

export function modelRoutes(server: FastifyInstance, rc: RouteContext): void {
  const { app } = rc;
  const line = (model: string) => {
    if (!Object.hasOwn(app.config.models, model)) throw new NotFoundError(`unknown model line "${model}"`);
    return app.config.models[model]!;
  };
  server.get('/v1/models/:model', { preHandler: rc.auth('read') }, async (req) => {
    const { model } = req.params as { model: string };
    const name = line(model).name;
    const [status, versions, aliases, history, drift] = await Promise.all([
      lineStatus(app, line(model), app.clock.now()),
      listVersions(app.store, { model: name }),
      aliasesOf(app.store, name),
      aliasHistory(app.store, name),
      driftState(app.store, name),
    ]);
    const aliasMoves = history.slice(-HISTORY_LIMIT).reverse();
    const extra = { aliases: Object.fromEntries(aliases), aliasHistory: aliasMoves, productionDrift: drift };
    return { ...status, versions: versions.length, ...extra };
  });
  server.get('/v1/models/:model/versions', { preHandler: rc.auth('read') }, async (req) => {
    const { model } = req.params as { model: string };
    return listVersions(app.store, { model: line(model).name });
  });
  server.post('/v1/models/:model/promote', { preHandler: rc.auth('admin') }, async (req, reply) => {
    const { model } = req.params as { model: string };
    const body = (req.body ?? {}) as { version?: unknown; reason?: unknown };
    if (!Number.isInteger(body.version)) {
      return reply.code(400).send({ error: 'body needs "version" (an integer), e.g. {"version": 3, "reason": "..."}' });
    }
    const reason = typeof body.reason === 'string' ? body.reason : 'promoted over HTTP';
    const change = await promoteServable(app, line(model).name, body.version as number, actorOf(req), reason);
    await rc.serving.refresh();
    return change;
  });
  server.post('/v1/models/:model/rollback', { preHandler: rc.auth('admin') }, async (req) => {
    const { model } = req.params as { model: string };
    const body = (req.body ?? {}) as { reason?: unknown };
    const reason = typeof body.reason === 'string' ? body.reason : 'rolled back over HTTP';
    const change = await rollback(app, line(model).name, actorOf(req), reason);
    await rc.serving.refresh();
    return change;
  });
  server.post('/v1/models/:model/retrain', { preHandler: rc.auth('admin') }, async (req, reply) => {
    const name = line((req.params as { model: string }).model).name;
    const decide = () => decideAll(app, { models: [name], force: [name], dryRun: false, actor: 'http' });
    const o = (await rc.serialize(decide)).outcomes[0]!;
    if (o.runId) {
      void rc
        .serialize(() => advanceDueRuns(app, rc.owner, [name]))
        .catch((err) => app.logger.error('advancing failed', { error: (err as Error).message }));
    }
    const body = { decision: o.decision?.action ?? 'error', reason: o.error ?? o.decision?.reason, run: o.runId };
    return reply.code(o.runId ? 202 : 409).send(body);
  });
}
