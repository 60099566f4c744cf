/**
 * Bearer tokens with scopes (`ingest`, `predict`, `read`, `admin`; admin may do everything). A
 * token is compared in constant time with every configured one, so timing tells nothing about
 * which characters matched.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Scope } from '../config/schema.js';
import type { Secret } from '../config/secret.js';

export type { Scope };

export interface TokenEntry {
  token: Secret;
  scopes: Scope[];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The scopes of a presented token, or null when no configured token matches. */
export function scopesOf(tokens: readonly TokenEntry[], presented: string): Scope[] | null {
  const got = digest(presented);
  let found: Scope[] | null = null;
  // Every entry is compared (no early exit), each in constant time over equal-length digests.
  for (const t of tokens) if (timingSafeEqual(digest(t.token.value), got) && !found) found = t.scopes;
  return found;
}

/** A preHandler that answers 401 without a known token and 403 without the scope. */
export function requireScope(tokens: readonly TokenEntry[], scope: Scope, onRequest: () => void) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    onRequest();
    const h = req.headers.authorization ?? '';
    const presented = h.startsWith('Bearer ') ? h.slice(7) : '';
    const scopes = presented ? scopesOf(tokens, presented) : null;
    if (!scopes) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        error: 'missing or unknown bearer token: send Authorization: Bearer <token> with a token from serve.tokens',
      });
    }
    if (!scopes.includes(scope) && !scopes.includes('admin')) {
      return reply.code(403).send({ error: `this token lacks the "${scope}" scope` });
    }
  };
}
