/**
 * Read models for people (scope read), the dashboard's data: `GET /v1/status` (what `refit status
 * --json` prints: each line's champion, evidence, online accuracy, budget, runs in flight, last
 * decisions), `GET /v1/models/:model/timeline` (daily online accuracy with retrain, promotion,
 * rejection and rollback marks), `GET /v1/models/:model/budget` (the retrain budget after each
 * decision) and `GET /v1/runs/:id/story` (what `refit report --format json`
 * prints).
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/errors.js';
import { lineTimeline, readRunStory } from '../../report/run-story.js';
import { readStatus } from '../../status/status.js';
import { budgetHistory } from '../../report/budget-history.js';
import type { RouteContext } from './context.js';

export function statusRoutes(server: FastifyInstance, rc: RouteContext): void {
  const { app } = rc;
  server.get('/v1/status', { preHandler: rc.auth('read') }, async () => {
    const status = await readStatus(app);
    // Where the store and config live is for the operator's terminal, not for every reader.
    return { atMs: status.atMs, dialect: status.dialect, models: status.models };
  });
  server.get('/v1/models/:model/timeline', { preHandler: rc.auth('read') }, async (req) => {
    const { model } = req.params as { model: string };
    if (!Object.hasOwn(app.config.models, model)) throw new NotFoundError(`unknown model line "${model}"`);
    return lineTimeline(app, model);
  });
  server.get('/v1/models/:model/budget', { preHandler: rc.auth('read') }, async (req) => {
    const { model } = req.params as { model: string };
    if (!Object.hasOwn(app.config.models, model)) throw new NotFoundError(`unknown model line "${model}"`);
    return budgetHistory(app, model);
  });
  server.get('/v1/runs/:id/story', { preHandler: rc.auth('read') }, async (req) => {
    const { id } = req.params as { id: string };
    return readRunStory(app, id);
  });
}
