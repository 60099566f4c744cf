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
  /** Who holds it: recorded as the actor of what the token does (an approval, a promotion). */
  name?: string;
}

/** The actor of an authenticated request: `http:<token name>` (or `http:token-<n>` unnamed). */
const actors = new WeakMap<FastifyRequest, string>();

export function actorOf(req: FastifyRequest): string {
  return actors.get(req) ?? 'http';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The configured token presented (its index too), or null when none matches. */
function tokenOf(tokens: readonly TokenEntry[], presented: string): { entry: TokenEntry; index: number } | null {
  const got = digest(presented);
  let found: { entry: TokenEntry; index: number } | null = null;
  // Every entry is compared (no early exit), each in constant time over equal-length digests.
  tokens.forEach((t, index) => {
    if (timingSafeEqual(digest(t.token.value), got) && !found) found = { entry: t, index };
  });
  return found;
}

/** A preHandler that answers 401 without a known token and 403 without the scope. */
export function requireScope(tokens: readonly TokenEntry[], scope: Scope, onRequest: () => void) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    onRequest();
    const h = req.headers.authorization ?? '';
    const presented = h.startsWith('Bearer ') ? h.slice(7) : '';
    const found = presented ? tokenOf(tokens, presented) : null;
    if (!found) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        error: 'missing or unknown bearer token: send Authorization: Bearer <token> with a token from serve.tokens',
      });
    }
    actors.set(req, `http:${found.entry.name ?? `token-${found.index + 1}`}`);
    const scopes = found.entry.scopes;
    if (!scopes.includes(scope) && !scopes.includes('admin')) {
      return reply.code(403).send({ error: `this token lacks the "${scope}" scope` });
    }
  };
}
