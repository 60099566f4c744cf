/**
 * Verifying a deployment: the target's health URL answers 2xx, then sanity requests — holdout
 * rows whose answers must equal what the candidate predicted for them at evaluation (at least
 * `min_agreement` of them). For refit's own serving the sanity rows go through the same loader
 * and predictor the prediction endpoint uses, from the registered (sha256-verified) artifact;
 * for other targets through `verify.predict_url`. Returns a verdict with the numbers.
 */
import type { AppContext } from '../app-context.js';
import { z } from 'zod';
import { httpCall, jsonOf } from '../integrations/http.js';
import type { Prediction } from '../ml/train/model.js';
import { loadPredictor } from '../serving/predictor.js';

/** What `deploy.verify.predict_url` answers (refit's own `POST /v1/predict/:model` shape). */
const PREDICTIONS = z
  .object({ predictions: z.array(z.object({ prediction: z.unknown() }).passthrough()) })
  .describe('{"predictions": [{"prediction": ...}, ...]}');

export interface SanityRow {
  input: Record<string, unknown>;
  expected: string;
}

export interface Verification {
  /** Sanity requests that got the expected answer, of those sent. */
  agreed: number;
  sent: number;
  passed: boolean;
  reason: string;
}

export async function checkHealth(app: AppContext, model: string): Promise<{ ok: boolean; detail: string }> {
  const url = app.config.models[model]!.deploy.verify.healthUrl;
  if (!url) return { ok: true, detail: 'no health URL configured' };
  const out = await httpCall({ method: 'GET', url, timeoutMs: 10_000 }, app.clock.now());
  return out.kind === 'ok' ? { ok: true, detail: `health ${out.status}` } : { ok: false, detail: out.message };
}

export async function sanityCheck(
  app: AppContext,
  model: string,
  version: number,
  rows: SanityRow[],
): Promise<Verification> {
  const line = app.config.models[model]!;
  const v = line.deploy.verify;
  if (rows.length === 0) return { agreed: 0, sent: 0, passed: true, reason: 'no sanity requests configured' };
  let answers: (string | null)[];
  try {
    answers = await answersFrom(
      app,
      model,
      version,
      rows.map((r) => r.input),
    );
  } catch (err) {
    return { agreed: 0, sent: rows.length, passed: false, reason: `sanity requests failed: ${(err as Error).message}` };
  }
  const agreed = answers.filter((a, i) => a === rows[i]!.expected).length;
  const share = agreed / rows.length;
  const passed = share >= v.minAgreement;
  const firstMiss = answers.findIndex((a, i) => a !== rows[i]!.expected);
  return {
    agreed,
    sent: rows.length,
    passed,
    reason: `${agreed} of ${rows.length} sanity answers match the evaluated predictions (${(share * 100).toFixed(0)}%, need ${(v.minAgreement * 100).toFixed(0)}%)${firstMiss >= 0 ? `; first mismatch: expected "${rows[firstMiss]!.expected}", got "${answers[firstMiss]}"` : ''}`,
  };
}

async function answersFrom(
  app: AppContext,
  model: string,
  version: number,
  inputs: Record<string, unknown>[],
): Promise<(string | null)[]> {
  const line = app.config.models[model]!;
  const url = line.deploy.verify.predictUrl;
  if (!url) {
    const predictor = await loadPredictor(app, line, version);
    return (await predictor.predict(inputs)).map((p: Prediction) => String(p.value ?? p.prediction));
  }
  const out = await httpCall(
    {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs }),
      timeoutMs: 30_000,
    },
    app.clock.now(),
  );
  const body = jsonOf(out, `sending ${inputs.length} sanity request(s)`, PREDICTIONS);
  if (body.predictions.length !== inputs.length)
    throw new Error(
      `${url} answered ${body.predictions.length} predictions for ${inputs.length} inputs: one per input`,
    );
  return body.predictions.map((p) => (p.prediction === undefined ? null : String(p.prediction)));
}
