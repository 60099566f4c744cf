/**
 * The dashboard at `/`: one HTML shell and its built assets (dist/dashboard/, built by
 * scripts/build-dashboard.mjs and shipped in the npm package). It reads and acts only through the
 * HTTP API with the token the user enters, so it needs no route of its own beyond its files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

function assetsDir(): string {
  const here = fileURLToPath(new URL('../../dashboard/', import.meta.url));
  // Under a TypeScript test runner this module is src/…ts: the built assets are in dist/.
  return existsSync(`${here}app.js`) ? here : here.replace(/\/src\/dashboard\/$/, '/dist/dashboard/');
}

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>refit</title>
<link rel="stylesheet" href="/dashboard/app.css">
</head>
<body>
<div id="app"><p>Loading the refit dashboard…</p></div>
<noscript>The dashboard needs JavaScript; the same data is at /v1/status and /openapi.json.</noscript>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`;

export function dashboardRoutes(server: FastifyInstance): void {
  const dir = assetsDir();
  server.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(SHELL));
  server.get('/dashboard/:file', async (req, reply) => {
    const { file } = req.params as { file: string };
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type || !existsSync(dir + file)) {
      return reply.code(404).send({ error: `no dashboard asset ${file}: run \`npm run build\`` });
    }
    return reply
      .type(type)
      .header('cache-control', 'no-cache')
      .send(readFileSync(dir + file));
  });
}
