/**
 * The HTTP API of `refit serve` (fastify): health, Prometheus metrics, OpenAPI, ingestion, runs,
 * models, prediction. Bearer tokens carry scopes; errors are JSON `{error}` with the status the
 * error's code maps to (core/errors.ts) and a message that says what to fix. Routes live in
 * routes/, one module per resource; this module assembles them.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { httpStatusFor, RefitError } from '../core/errors.js';
import { redact } from '../config/secrets.js';
import { ServingRouter } from '../serving/router.js';
import { requireScope } from './auth.js';
import type { Counters, RouteContext } from './routes/context.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { modelRoutes } from './routes/models.js';
import { predictRoutes } from './routes/predict.js';
import { runRoutes } from './routes/runs.js';
import { explainAnyDiskFull } from '../core/disk-full.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { statusRoutes } from './routes/status.js';

export interface ServerOptions {
  /** Worker id used for run leases. */
  owner: string;
  /** Runs the tick work serially with the scheduler (decide + advance). */
  serialize: <T>(fn: () => Promise<T>) => Promise<T>;
  /** How often the prediction endpoint re-reads the aliases (ms). Default 1000. */
  servingPollMs?: number;
  /** The routing table of the prediction endpoint (the service refreshes it after ticks). */
  serving?: ServingRouter;
}

export function buildServer(app: AppContext, options: ServerOptions): FastifyInstance {
  // A "__proto__" key is dropped rather than failing the whole body: the rest of a feedback batch is kept.
  const server = Fastify({
    bodyLimit: app.config.serve.bodyLimit,
    logger: false,
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
  });
  const serving = options.serving ?? new ServingRouter(app);
  server.addHook('onReady', async () => {
    await serving.refresh();
    serving.start(options.servingPollMs ?? 1000);
  });
  server.addHook('onClose', async () => serving.stop());
  const counters: Counters = { ingested: 0, requests: 0, predictions: 0 };
  const tokens = app.config.serve.tokens;
  const rc: RouteContext = {
    app,
    owner: options.owner,
    serialize: options.serialize,
    serving,
    counters,
    auth: (scope) => requireScope(tokens, scope, () => counters.requests++),
  };
  server.setErrorHandler((err, _req, reply) => {
    const e = explainAnyDiskFull(err, app.config) as Error & { statusCode?: number; code?: string };
    const secrets = app.config.secretValues;
    if (e instanceof RefitError) return reply.code(httpStatusFor(e)).send({ error: redact(e.message, secrets) });
    if (e.statusCode && e.statusCode < 500) {
      const tooLarge = `request body larger than serve.body_limit (${app.config.serve.bodyLimit} bytes): send smaller batches`;
      return reply.code(e.statusCode).send({ error: e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? tooLarge : e.message });
    }
    app.logger.error('request failed', { error: redact(e.message, secrets) });
    return reply.code(500).send({ error: 'internal error (see the service log)' });
  });
  const api = [healthRoutes, feedbackRoutes, runRoutes, modelRoutes, predictRoutes, statusRoutes];
  for (const routes of api) routes(server, rc);
  dashboardRoutes(server);
  return server;
}
