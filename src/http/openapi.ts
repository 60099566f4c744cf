/** The OpenAPI 3.1 document served at /openapi.json. */
export function openApiDocument(): object {
  const bearer = [{ bearer: [] }];
  const json = (description: string) => ({
    description,
    content: { 'application/json': { schema: { type: 'object' } } },
  });
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
          description: 'Tokens from serve.tokens with scopes ingest, read, admin.',
        },
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness and store reachability', responses: { 200: json('ok') } } },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (refit_ prefix)',
          responses: { 200: { description: 'text/plain exposition' } },
        },
      },
      '/v1/feedback': {
        post: {
          summary:
            'Ingest events: one object, an array, or {"events": [...]} of prediction / feedback / example events',
          security: bearer,
          requestBody: {
            content: {
              'application/json': {
                schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
              },
            },
          },
          responses: {
            200: json('all accepted (or duplicates)'),
            401: json('no token'),
            403: json('missing ingest scope'),
            413: json('body too large'),
            422: json('some events rejected; the others were stored'),
          },
        },
      },
      '/v1/runs': {
        get: {
          summary: 'Runs, newest first',
          security: bearer,
          parameters: [
            { name: 'model', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer' } },
          ],
          responses: { 200: json('runs') },
        },
      },
      '/v1/runs/{id}': {
        get: {
          summary: 'One run with its steps',
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: json('run'), 404: json('no such run') },
        },
      },
      '/v1/models/{model}/predict': {
        post: {
          summary:
            'Predict with the champion (or ?version=N / ?alias=NAME); canary and shadow per serving config. Each prediction gets an id for feedback.',
          security: bearer,
          parameters: [
            { name: 'model', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'version', in: 'query', schema: { type: 'integer' } },
            { name: 'alias', in: 'query', schema: { type: 'string' } },
          ],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    input: { type: 'object' },
                    inputs: { type: 'array', items: { type: 'object' } },
                    key: { type: 'string', description: 'sticky canary key' },
                  },
                },
              },
            },
          },
          responses: {
            200: json('{model, version, via, predictions: [{id, prediction, confidence, proba?}]}'),
            400: json('bad body'),
            404: json('unknown model, alias or no champion'),
          },
        },
      },
      '/v1/models/{model}/versions': {
        get: {
          summary: 'Registered versions with aliases',
          security: bearer,
          parameters: [{ name: 'model', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: json('versions') },
        },
      },
      '/v1/models/{model}/promote': {
        post: {
          summary: 'Make a version the champion',
          security: bearer,
          parameters: [{ name: 'model', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['version'],
                  properties: { version: { type: 'integer' }, reason: { type: 'string' } },
                },
              },
            },
          },
          responses: { 200: json('alias change'), 400: json('bad body'), 404: json('no such version') },
        },
      },
      '/v1/models/{model}/rollback': {
        post: {
          summary: 'Make the previous champion the champion',
          security: bearer,
          parameters: [{ name: 'model', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: json('alias change'), 409: json('nothing to roll back to') },
        },
      },
      '/v1/models/{model}/retrain': {
        post: {
          summary: 'Manual or webhook trigger (e.g. repository_dispatch): queue a forced retrain and advance it',
          security: bearer,
          parameters: [{ name: 'model', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 202: json('queued'), 409: json('blocked (a run is in flight)') },
        },
      },
    },
  };
}
