import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Server } from '../app.js';

/**
 * What a person sees at `/` before the web client is built: that the server is up, and where the API and
 * its documentation are. Kept static: no user data, nothing to escape.
 */
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Retract</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; color: #1b1f24; }
  code { background: #eef1f4; padding: 0.1rem 0.3rem; border-radius: 4px; }
  a { color: #0b57d0; }
</style>
</head>
<body>
<h1>Retract is running</h1>
<p>Instant messaging where taking a message back is a first-class operation.</p>
<ul>
  <li>HTTP API under <code>/v1</code> — <a href="/v1/openapi.json">OpenAPI document</a></li>
  <li>Live events over WebSocket at <code>/v1/ws</code></li>
  <li>Health at <a href="/healthz"><code>/healthz</code></a>, metrics at <a href="/metrics"><code>/metrics</code></a></li>
</ul>
<p>Use the <code>retract</code> command line or the TypeScript SDK to chat; see the README.</p>
</body>
</html>
`;

/** Vite names every file under assets/ by its content hash: a changed file gets a new name. */
const immutable = 'public, max-age=31536000, immutable';

/**
 * `/`: the web client from `config.web.dir` when it holds a build, else the placeholder page. The client
 * routes with the URL's hash, so only real files are served (no fallback to index.html for other paths).
 */
export async function homeRoutes(app: Server): Promise<void> {
  const dir = app.retract.ctx.config.web.dir;
  if (dir !== null && existsSync(join(dir, 'index.html'))) {
    const root = resolve(dir);
    const assets = join(root, 'assets') + sep;
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      cacheControl: false,
      // index.html must be revalidated so a new build's asset names are picked up at once.
      setHeaders: (res, path) =>
        res.header('cache-control', path.startsWith(assets) ? immutable : 'no-cache'),
    });
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
}
