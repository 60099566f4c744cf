/** `GET /healthz` (the store answers), `GET /metrics` (Prometheus), `GET /openapi.json`. */
import type { FastifyInstance } from 'fastify';
import { pingStore } from '../../stores/store.js';
import { metricsRegistry } from '../metrics.js';
import { openApiDocument } from '../openapi.js';
import type { RouteContext } from './context.js';

export function healthRoutes(server: FastifyInstance, rc: RouteContext): void {
  const { app } = rc;
  server.get('/healthz', async () => {
    await pingStore(app.store);
    return { status: 'ok', store: app.store.dialect };
  });
  const registry = metricsRegistry(app, rc.counters);
  server.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  server.get('/openapi.json', async () => openApiDocument());
}
