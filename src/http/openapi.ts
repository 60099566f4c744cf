/**
 * The OpenAPI 3.1 document served at /openapi.json, generated from one table of routes: method,
 * path, scope, summary, parameters, body and responses. A route added to the server is added here.
 */

type Param = {
  name: string;
  in: 'path' | 'query';
  type: 'string' | 'integer';
  required?: boolean;
  description?: string;
};

export interface RouteDoc {
  method: 'get' | 'post';
  path: string;
  summary: string;
  /** Bearer scope needed; none for public routes. */
  scope?: 'ingest' | 'predict' | 'read' | 'admin';
  params?: Param[];
  body?: object;
  responses: Record<number, string>;
}

const model: Param = { name: 'model', in: 'path', type: 'string', required: true };
const runId: Param = { name: 'id', in: 'path', type: 'string', required: true };
const reasonBody = { type: 'object', properties: { reason: { type: 'string' } } };

export const ROUTES: RouteDoc[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness and store reachability', responses: { 200: 'ok' } },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics (refit_ prefix)', responses: { 200: 'exposition' } },
  {
    method: 'post',
    path: '/v1/feedback',
    scope: 'ingest',
    summary: 'Ingest events: one object, an array, or {"events": [...]} of prediction / feedback / example events',
    body: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
    responses: {
      200: 'all accepted (or duplicates)',
      401: 'no token',
      403: 'missing ingest scope',
      413: 'body too large',
      422: 'some events rejected; the others were stored',
    },
  },
  {
    method: 'get',
    path: '/v1/runs',
    scope: 'read',
    summary: 'Runs, newest first',
    params: [
      { name: 'model', in: 'query', type: 'string' },
      { name: 'limit', in: 'query', type: 'integer', description: '1–500, default 50' },
    ],
    responses: { 200: 'runs' },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}',
    scope: 'read',
    summary: 'One run with its steps',
    params: [runId],
    responses: { 200: 'run', 404: 'no such run' },
  },
  ...(['approve', 'reject'] as const).map((verb): RouteDoc => ({
    method: 'post',
    path: `/v1/runs/{id}/${verb}`,
    scope: 'admin',
    summary:
      verb === 'approve'
        ? 'Approve the promotion of a run awaiting approval (deploy.approval: required); it goes on at once'
        : 'Reject a run awaiting approval (a reason is required); the version is never promoted',
    params: [runId],
    body: reasonBody,
    responses: {
      202: 'recorded: {run, verdict, actor, reason, atMs}',
      400: 'a rejection without a reason',
      404: 'no such run',
      409: 'the run is not awaiting approval, or already has a verdict',
    },
  })),
  {
    method: 'get',
    path: '/v1/status',
    scope: 'read',
    summary: 'Every model line: champion, evidence, online accuracy, budget, runs in flight, last decisions',
    responses: { 200: '{atMs, dialect, models: [...]}' },
  },
  {
    method: 'get',
    path: '/v1/models/{model}/budget',
    scope: 'read',
    summary: 'The retrain budget after each retrain or skip decision (tokens, capacity), oldest first',
    params: [model],
    responses: { 200: 'points', 404: 'unknown model line' },
  },
  {
    method: 'get',
    path: '/v1/models/{model}/timeline',
    scope: 'read',
    summary: "The line's daily online accuracy with retrain, promotion, rejection and rollback marks",
    params: [model],
    responses: { 200: '{points: [{atMs, total, accuracy}], marks: [{atMs, kind, label, runId}]}', 404: 'no such line' },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/story',
    scope: 'read',
    summary:
      "A run's story: decision, dataset, training, evaluation, gate, approval, deploy (refit report --format json)",
    params: [runId],
    responses: { 200: 'story', 404: 'no such run' },
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/retry',
    scope: 'admin',
    summary: 'Retry a failed run from its first unfinished step (the token name is the actor)',
    params: [runId],
    responses: { 202: 'requeued', 404: 'unknown run', 409: 'not failed, or another run in flight' },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/reports/{file}',
    scope: 'read',
    summary: "A run's report: validation.html|md|json, gate.md|json (HTML served with a no-script CSP)",
    params: [runId, { name: 'file', in: 'path', type: 'string', required: true }],
    responses: { 200: 'the report', 404: 'unknown run, report or file name' },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/logs',
    scope: 'read',
    summary: "The run's training log as text; ?follow=true (the string) streams new lines until the job ends",
    params: [runId, { name: 'follow', in: 'query', type: 'string' }],
    responses: { 200: 'text/plain', 404: 'no such run' },
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/cancel',
    scope: 'admin',
    summary: 'Cancel a queued, waiting, awaiting or running run (it stops at its next step)',
    params: [runId],
    body: reasonBody,
    responses: { 200: '{runId, from}', 404: 'no such run', 409: 'the run has already ended' },
  },
  {
    method: 'post',
    path: '/v1/models/{model}/predict',
    scope: 'predict',
    summary:
      'Predict with the champion (or ?version=N / ?alias=NAME); canary and shadow per serving config. ' +
      'Each prediction gets an id for feedback.',
    params: [model, { name: 'version', in: 'query', type: 'integer' }, { name: 'alias', in: 'query', type: 'string' }],
    body: {
      type: 'object',
      properties: {
        input: { type: 'object' },
        inputs: { type: 'array', items: { type: 'object' } },
        key: { type: 'string', description: 'sticky canary key' },
      },
    },
    responses: {
      200: '{model, version, via, predictions: [{id, prediction, confidence, proba?}]}',
      400: 'bad body',
      404: 'unknown model, alias or no champion',
    },
  },
  {
    method: 'get',
    path: '/v1/models/{model}',
    scope: 'read',
    summary: "A model line's status: evidence, champion, budget, runs in flight, decisions, monitor verdicts, aliases",
    params: [model],
    responses: { 200: 'the line', 404: 'unknown model line' },
  },
  {
    method: 'get',
    path: '/v1/models/{model}/versions',
    scope: 'read',
    summary: 'Registered versions with aliases',
    params: [model],
    responses: { 200: 'versions', 404: 'unknown model line' },
  },
  {
    method: 'post',
    path: '/v1/models/{model}/promote',
    scope: 'admin',
    summary: 'Make a version the champion',
    params: [model],
    body: {
      type: 'object',
      required: ['version'],
      properties: { version: { type: 'integer' }, reason: { type: 'string' } },
    },
    responses: { 200: 'alias change', 400: 'bad body', 404: 'no such version' },
  },
  {
    method: 'post',
    path: '/v1/models/{model}/rollback',
    scope: 'admin',
    summary: 'Make the previous champion the champion',
    params: [model],
    body: reasonBody,
    responses: { 200: 'alias change', 409: 'nothing to roll back to' },
  },
  {
    method: 'post',
    path: '/v1/models/{model}/retrain',
    scope: 'admin',
    summary: 'Manual or webhook trigger (e.g. repository_dispatch): queue a forced retrain and advance it',
    params: [model],
    responses: { 202: 'queued', 409: 'blocked (a run is in flight)' },
  },
];

const json = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});

function operation(r: RouteDoc): object {
  const parameters = (r.params ?? []).map((p) => ({
    name: p.name,
    in: p.in,
    required: p.required ?? false,
    schema: { type: p.type },
    ...(p.description ? { description: p.description } : {}),
  }));
  const responses = Object.fromEntries(Object.entries(r.responses).map(([code, d]) => [code, json(d)]));
  return {
    summary: r.summary,
    ...(r.scope ? { security: [{ bearer: [] }], 'x-refit-scope': r.scope } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body ? { requestBody: { content: { 'application/json': { schema: r.body } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument(routes: RouteDoc[] = ROUTES): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'refit',
      version: '0.1.0',
      description: 'Continuous-training orchestrator: ingestion, runs, models.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Tokens from serve.tokens with scopes ingest, predict, read, admin.',
        },
      },
    },
    paths,
  };
}
