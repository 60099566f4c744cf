/**
 * `POST /v1/models/:model/predict` (scope predict): `{"input": {...}}`, `{"inputs": [...]}` or a
 * bare array, answered by the champion — or `?version=N`, `?alias=NAME`, the canary's share
 * (sticky by `key` or the line's canary field). Every prediction gets an id (send feedback for
 * it) and is stored with the version that made it before the response; the shadow alias, if
 * any, answers a copy afterwards (logged, never returned).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import type { Prediction } from '../../ml/train/model.js';
import type { Predictor } from '../../serving/predictor.js';
import { PredictionLog } from '../../serving/prediction-log.js';
import { idSequence } from '../../stores/ids.js';
import type { RouteContext } from './context.js';
import { predictRequest } from './predict-request.js';

function confidenceOf(p: Prediction): number | null {
  const v = p.proba[p.prediction];
  return typeof v === 'number' ? v : null;
}

export function predictRoutes(server: FastifyInstance, rc: RouteContext): void {
  const { app, serving } = rc;
  const predictions = new PredictionLog(app);
  const predictionId = idSequence('pred');
  server.post('/v1/models/:model/predict', { preHandler: rc.auth('predict') }, async (req, reply) => {
    const { model } = req.params as { model: string };
    const q = req.query as { version?: string; alias?: string };
    const parsed = predictRequest(req.body);
    if ('error' in parsed) return reply.code(400).send({ error: parsed.error });
    if (q.version !== undefined && !/^\d+$/.test(q.version)) {
      return reply.code(400).send({ error: `?version must be a version number, got "${q.version}"` });
    }
    const ids = parsed.inputs.map(() => predictionId(app.clock.now()));
    const line = Object.hasOwn(app.config.models, model) ? app.config.models[model] : undefined;
    const stickyField = line?.serving.canary?.key;
    const sticky = stickyField ? parsed.inputs[0]?.[stickyField] : undefined;
    const key = parsed.key ?? (sticky !== undefined ? String(sticky) : ids[0]!);
    const version = q.version === undefined ? undefined : Number(q.version);
    const route = await serving.route(model, { version, alias: q.alias, key });
    const out = await route.primary.predict(parsed.inputs);
    rc.counters.predictions += out.length;
    const now = app.clock.now();
    const served = String(route.primary.version);
    const rows = out.map((p, i) => ({
      type: 'prediction' as const,
      id: ids[i]!,
      model,
      version: served,
      input: parsed.inputs[i]!,
      prediction: p.prediction,
      confidence: confidenceOf(p),
      tsMs: now,
    }));
    await predictions.log(rows);
    if (route.shadow) shadowCopy(app, predictions, route.shadow, model, parsed.inputs, ids, now);
    const answers = out.map((p, i) => ({
      id: ids[i],
      prediction: p.value ?? p.prediction,
      confidence: confidenceOf(p),
      ...(Object.keys(p.proba).length ? { proba: p.proba } : {}),
    }));
    return { model, version: route.primary.version, via: route.via, predictions: answers };
  });
}

/** The shadow answers after the caller has its response; its failures never reach the caller. */
function shadowCopy(
  app: AppContext,
  log: PredictionLog,
  shadow: Predictor,
  model: string,
  inputs: Record<string, unknown>[],
  ids: string[],
  now: number,
): void {
  setImmediate(() => {
    shadow
      .predict(inputs)
      .then((sp) =>
        log.logShadow(
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
