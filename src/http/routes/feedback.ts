/**
 * `POST /v1/feedback` (scope ingest): one event, an array, or `{"events": [...]}`. Good events are
 * stored even when others in the batch are rejected; a 422 lists the bad ones by index.
 */
import type { FastifyInstance } from 'fastify';
import { IngestSession } from '../../ingest/ingest.js';
import type { RouteContext } from './context.js';

function eventsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const events = body && typeof body === 'object' ? (body as { events?: unknown }).events : undefined;
  return Array.isArray(events) ? events : [body];
}

export function feedbackRoutes(server: FastifyInstance, rc: RouteContext): void {
  server.post('/v1/feedback', { preHandler: rc.auth('ingest') }, async (req, reply) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      return reply.code(415).send({
        error:
          `Content-Type "${type.slice(0, 60) || 'none'}" is not JSON: send Content-Type: application/json ` +
          'with one event, an array of events, or {"events": [...]}',
      });
    }
    const session = new IngestSession(rc.app, ['request']);
    for (const [i, item] of eventsOf(req.body).entries()) {
      const record =
        item && typeof item === 'object' && !Array.isArray(item)
          ? (item as Record<string, unknown>)
          : { error: 'each event must be a JSON object' };
      await session.offer('request', i + 1, record);
    }
    const s = await session.flush();
    rc.counters.ingested += s.accepted;
    const errors = s.errors.map((e) => ({ index: e.line, field: e.field, reason: e.reason }));
    const result = {
      accepted: s.accepted,
      duplicates: s.duplicates,
      rejected: s.rejected,
      matched: s.matched,
      errors,
      conflicts: s.conflictRows,
    };
    return reply.code(s.rejected > 0 ? 422 : 200).send(result);
  });
}
