/**
 * The HTTP API of `refit serve` (fastify): health, Prometheus metrics, ingestion, runs, models,
 * promote / rollback / retrain, and the OpenAPI document. Bearer tokens carry scopes (`ingest`,
 * `read`, `admin`); errors are JSON `{error, details?}` with a 4xx that says what to fix.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { RefitError } from '../core/errors.js';
import { decideAll } from '../decide/decide-all.js';
import { IngestSession } from '../ingest/ingest.js';
import { advanceDueRuns } from '../pipeline/tick.js';
import { listVersions, promote, rollback } from '../registry/registry.js';
import { redact } from '../config/secrets.js';
import { prometheusText } from './metrics.js';
import { PredictionLog } from '../serving/prediction-log.js';
import { ServingRouter } from '../serving/router.js';
import { idSequence } from '../stores/ids.js';
import type { Prediction } from '../ml/train/model.js';
import { openApiDocument } from './openapi.js';

type Scope = 'ingest' | 'predict' | 'read' | 'admin';

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
  const server = Fastify({ bodyLimit: app.config.serve.bodyLimit, logger: false });
  const serving = options.serving ?? new ServingRouter(app);
  const predictions = new PredictionLog(app);
  const predictionId = idSequence('pred');
  server.addHook('onReady', async () => {
    await serving.refresh();
    serving.start(options.servingPollMs ?? 1000);
  });
  server.addHook('onClose', async () => serving.stop());
  const counters = { ingested: 0, requests: 0, predictions: 0 };
  const tokens = app.config.serve.tokens;

  const auth = (scope: Scope) => async (req: FastifyRequest, reply: FastifyReply) => {
    counters.requests++;
    const h = req.headers.authorization ?? '';
    const token = h.startsWith('Bearer ') ? h.slice(7) : '';
    const found = tokens.find((t) => t.token === token);
    if (!found)
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({
          error: 'missing or unknown bearer token: send Authorization: Bearer <token> with a token from serve.tokens',
        });
    if (!found.scopes.includes(scope) && !found.scopes.includes('admin'))
      return reply.code(403).send({ error: `this token lacks the "${scope}" scope` });
  };

  server.setErrorHandler((err, _req, reply) => {
    const e = err as Error & { statusCode?: number; code?: string };
    if (e instanceof RefitError) {
      const status =
        e.code === 'NOT_FOUND'
          ? 404
          : e.code === 'USAGE' || e.code === 'INPUT_INVALID' || e.code === 'CONFIG_INVALID'
            ? 400
            : e.code === 'CONFLICT'
              ? 409
              : 500;
      return reply.code(status).send({ error: redact(e.message, app.config.secretValues) });
    }
    if (e.statusCode && e.statusCode < 500)
      return reply
        .code(e.statusCode)
        .send({
          error:
            e.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? `request body larger than serve.body_limit (${app.config.serve.bodyLimit} bytes): send smaller batches`
              : e.message,
        });
    app.logger.error('request failed', { error: redact(e.message, app.config.secretValues) });
    return reply.code(500).send({ error: 'internal error (see the service log)' });
  });

  server.get('/healthz', async () => {
    await app.store.db.selectFrom('locks').select('name').limit(1).execute();
    return { status: 'ok', store: app.store.dialect };
  });
  server.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(await prometheusText(app, counters)),
  );
  server.get('/openapi.json', async () => openApiDocument());

  server.post('/v1/feedback', { preHandler: auth('ingest') }, async (req, reply) => {
    const body = req.body as unknown;
    const items = Array.isArray(body)
      ? body
      : body && typeof body === 'object' && Array.isArray((body as { events?: unknown }).events)
        ? (body as { events: unknown[] }).events
        : [body];
    const session = new IngestSession(app, ['request']);
    for (const [i, item] of items.entries()) {
      await session.offer(
        'request',
        i + 1,
        item && typeof item === 'object' && !Array.isArray(item)
          ? (item as Record<string, unknown>)
          : { error: 'each event must be a JSON object' },
      );
    }
    const s = await session.flush();
    counters.ingested += s.accepted;
    const result = {
      accepted: s.accepted,
      duplicates: s.duplicates,
      rejected: s.rejected,
      matched: s.matched,
      errors: s.errors.map((e) => ({ index: e.line, field: e.field, reason: e.reason })),
    };
    // Good events are stored even when others in the batch are rejected; the 422 lists the bad ones.
    return reply.code(s.rejected > 0 ? 422 : 200).send(result);
  });

  server.get('/v1/runs', { preHandler: auth('read') }, async (req) => {
    const q = req.query as { model?: string; limit?: string };
    let query = app.store.db
      .selectFrom('runs')
      .select(['id', 'model', 'state', 'reason', 'outcome', 'created_ms', 'finished_ms']);
    if (q.model) query = query.where('model', '=', q.model);
    return (
      await query
        .orderBy('created_ms', 'desc')
        .limit(Math.min(500, Number(q.limit ?? 50) || 50))
        .execute()
    ).map((r) => ({
      ...r,
      created_ms: Number(r.created_ms),
      finished_ms: r.finished_ms === null ? null : Number(r.finished_ms),
    }));
  });
  server.get('/v1/runs/:id', { preHandler: auth('read') }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const run = await app.store.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!run) return reply.code(404).send({ error: `no run ${id}` });
    const steps = await app.store.db
      .selectFrom('steps')
      .select(['step_id', 'state', 'attempts', 'started_ms', 'finished_ms', 'error'])
      .where('run_id', '=', id)
      .orderBy('started_ms')
      .execute();
    return { ...run, steps };
  });
  server.get('/v1/models/:model/versions', { preHandler: auth('read') }, async (req) =>
    listVersions(app, (req.params as { model: string }).model),
  );
  server.post('/v1/models/:model/promote', { preHandler: auth('admin') }, async (req, reply) => {
    const { model } = req.params as { model: string };
    const body = (req.body ?? {}) as { version?: unknown; reason?: unknown };
    if (!Number.isInteger(body.version))
      return reply.code(400).send({ error: 'body needs "version" (an integer), e.g. {"version": 3, "reason": "..."}' });
    const change = await promote(
      app,
      model,
      body.version as number,
      'http',
      typeof body.reason === 'string' ? body.reason : 'promoted over HTTP',
    );
    await serving.refresh();
    return change;
  });
  server.post('/v1/models/:model/rollback', { preHandler: auth('admin') }, async (req) => {
    const { model } = req.params as { model: string };
    const body = (req.body ?? {}) as { reason?: unknown };
    const change = await rollback(
      app,
      model,
      'http',
      typeof body.reason === 'string' ? body.reason : 'rolled back over HTTP',
    );
    await serving.refresh();
    return change;
  });
  server.post('/v1/models/:model/predict', { preHandler: auth('predict') }, async (req, reply) => {
    const { model } = req.params as { model: string };
    const q = req.query as { version?: string; alias?: string };
    const parsed = predictRequest(req.body);
    if ('error' in parsed) return reply.code(400).send({ error: parsed.error });
    if (q.version !== undefined && !/^\d+$/.test(q.version))
      return reply.code(400).send({ error: `?version must be a version number, got "${q.version}"` });
    const ids = parsed.inputs.map(() => predictionId(app.clock.now()));
    const line = app.config.models[model];
    const stickyField = line?.serving.canary?.key;
    const key =
      parsed.key ??
      (stickyField && parsed.inputs[0]?.[stickyField] !== undefined ? String(parsed.inputs[0][stickyField]) : ids[0]!);
    const route = await serving.route(model, {
      version: q.version === undefined ? undefined : Number(q.version),
      alias: q.alias,
      key,
    });
    const out = await route.primary.predict(parsed.inputs);
    counters.predictions += out.length;
    const now = app.clock.now();
    const version = String(route.primary.version);
    await predictions.log(
      out.map((p, i) => ({
        type: 'prediction' as const,
        id: ids[i]!,
        model,
        version,
        input: parsed.inputs[i]!,
        prediction: p.prediction,
        confidence: confidenceOf(p),
        tsMs: now,
      })),
    );
    if (route.shadow) {
      const shadow = route.shadow;
      // The shadow answers after the caller has its response; its failures never reach the caller.
      setImmediate(() => {
        shadow
          .predict(parsed.inputs)
          .then((sp) =>
            predictions.logShadow(
              sp.map((p, i) => ({
                model,
                id: ids[i]!,
                version: String(shadow.version),
                prediction: p.prediction,
                confidence: confidenceOf(p),
                tsMs: now,
              })),
            ),
          )
          .catch((err) => app.logger.warn(`shadow v${shadow.version} of ${model} failed: ${(err as Error).message}`));
      });
    }
    return {
      model,
      version: route.primary.version,
      via: route.via,
      predictions: out.map((p, i) => ({
        id: ids[i],
        prediction: p.value ?? p.prediction,
        confidence: confidenceOf(p),
        ...(Object.keys(p.proba).length ? { proba: p.proba } : {}),
      })),
    };
  });
  server.post('/v1/models/:model/retrain', { preHandler: auth('admin') }, async (req, reply) => {
    const { model } = req.params as { model: string };
    const result = await options.serialize(() =>
      decideAll(app, { models: [model], force: [model], dryRun: false, actor: 'http' }),
    );
    const o = result.outcomes[0]!;
    if (o.runId)
      void options
        .serialize(() => advanceDueRuns(app, options.owner, [model]))
        .catch((err) => app.logger.error('advancing failed', { error: (err as Error).message }));
    return reply
      .code(o.runId ? 202 : 409)
      .send({ decision: o.decision?.action ?? 'error', reason: o.error ?? o.decision?.reason, run: o.runId });
  });
  return server;
}

function confidenceOf(p: Prediction): number | null {
  const v = p.proba[p.prediction];
  return typeof v === 'number' ? v : null;
}

/** `{"input": {...}}`, `{"inputs": [{...}, ...]}` or a bare array; an optional sticky `"key"`. */
function predictRequest(body: unknown): { inputs: Record<string, unknown>[]; key: string | null } | { error: string } {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const b = body as Record<string, unknown> | unknown[] | null;
  const list = Array.isArray(b)
    ? b
    : isObj(b) && Array.isArray(b.inputs)
      ? b.inputs
      : isObj(b) && isObj(b.input)
        ? [b.input]
        : null;
  if (!list)
    return {
      error: 'body needs "input" (an object) or "inputs" (an array of objects), e.g. {"input": {"text": "..."}}',
    };
  if (list.length === 0) return { error: '"inputs" is empty: send at least one input' };
  const bad = list.findIndex((x) => !isObj(x));
  if (bad >= 0)
    return {
      error: `inputs[${bad}] must be an object of input fields, got ${JSON.stringify(list[bad])?.slice(0, 60)}`,
    };
  const key = isObj(b) && b.key !== undefined ? String(b.key) : null;
  return { inputs: list as Record<string, unknown>[], key };
}
