import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { api } from '@retract/protocol';
import type { Server } from '../app.js';
import { openAttachment, uploadAttachment } from '../../actions/attachments.js';
import { actorOf } from '../authenticate.js';
import { AppError } from '../../errors.js';

/**
 * Uploads go as the raw bytes (`Content-Type: application/octet-stream`), streamed to the blob store;
 * downloads need the session token like every other call, and never trust a stored type for rendering.
 */
export function attachmentRoutes(parent: Server): void {
  // A scope of their own, so the raw-bytes parser applies to these routes only: every other route
  // still answers 415 to anything but JSON.
  void parent.register(async (scope) => {
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
    routes(app);
  });
}

function routes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];

  app.post(
    '/v1/attachments',
    {
      schema: {
        tags: ['attachments'],
        summary: 'Upload a file (raw bytes); the server checks its type against the declared kind',
        querystring: api.UploadQuery,
        response: { 201: api.UploadResponse },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
        throw new AppError('unsupported_media_type', { expected: 'application/octet-stream' });
      }
      const result = await uploadAttachment(ctx, actorOf(request), request.query, body);
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/v1/attachments/:id',
    {
      schema: {
        tags: ['attachments'],
        summary: 'Download an attachment (members only; 410 once its message is recalled)',
        params: api.IdParams,
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      const { record, size, stream } = await openAttachment(ctx, actorOf(request), request.params.id);
      return reply
        .header('content-type', record.mime)
        .header('content-length', String(size))
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(record.name)}`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(stream);
    },
  );
}
