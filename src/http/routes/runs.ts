/** `GET /v1/runs` and `GET /v1/runs/:id` (scope read): the runs' read model, the same as `refit runs --json`. */
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/errors.js';
import { getRun, listRuns } from '../../stores/runs.js';
import type { RouteContext } from './context.js';

const MAX_LIMIT = 500;

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
}
