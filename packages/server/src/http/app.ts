import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorPayload, limits, protocolVersion } from '@retract/protocol';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { ActionContext } from '../actions/context.js';
import { installErrorHandling } from './error-handler.js';
import { installHttpRateLimits } from '../limits/http-hook.js';
import { accountRoutes } from './routes/accounts.js';
import { requireSession } from './authenticate.js';
import { sessionRoutes } from './routes/sessions.js';
import { conversationRoutes } from './routes/conversations.js';
import { messageRoutes } from './routes/messages.js';
import { syncRoutes } from './routes/sync.js';
import { opsRoutes } from './routes/ops.js';
import { homeRoutes } from './routes/home.js';
import { policyRoutes } from './routes/policies.js';
import { attachmentRoutes } from './routes/attachments.js';
import { consentRoutes } from './routes/consent.js';
import { auditRoutes } from './routes/audit.js';
import { complianceRoutes } from './routes/compliance.js';
import { statsRoutes } from './routes/stats.js';
import { pushRoutes } from './routes/push.js';
import { webhookRoutes } from './routes/webhooks.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { strictIntegerQuery } from './strict-query.js';
import { randomUUID } from 'node:crypto';

export type Server = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyInstance {
    retract: { ctx: ActionContext; auth: ReturnType<typeof requireSession> };
  }
}

/** The HTTP API: thin routes, validated by schema, mapped to actions. */
export async function buildHttpApp(ctx: ActionContext, logger: FastifyBaseLogger): Promise<Server> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: limits.maxBodyBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    // A path that is not valid percent-encoding fails before routing: answer in the registry's shape.
    frameworkErrors: (_error, _request, reply) => {
      void (reply as FastifyReply)
        .status(400)
        .send({ error: errorPayload('invalid_request', { in: 'url' }) });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Unknown fields are errors, not silently dropped. Query strings and path parameters are text and coerce
  // to numbers; JSON bodies keep their types, so `{"body": 5}` is a wrong type, not the text "5".
  const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const bodyAjv = new Ajv({ ...ajvOptions, coerceTypes: false });
  const textAjv = new Ajv({ ...ajvOptions, coerceTypes: true });
  // Formats such as date-time are checked, not ignored.
  addFormats.default(bodyAjv);
  addFormats.default(textAjv);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema),
  );

  // Only JSON bodies: no text/plain parser (→ 415), and a body that is not valid UTF-8 is refused rather
  // than stored with replacement characters.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(Object.assign(new Error('body is not UTF-8'), { statusCode: 400 }), undefined);
      return;
    }
    parseJson(request, text, done);
  });

  // Response schemas document the API; bodies are written with JSON.stringify so a schema can never drop
  // a field a client needs.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('session', null);
  app.decorate('retract', { ctx, auth: requireSession(ctx) });
  app.addHook('preValidation', strictIntegerQuery);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // The server's clock, which decides every window: clients count down against it, not their own
    // (a phone minutes off would otherwise show a recall window that is not there).
    void reply.header('retract-time', new Date(ctx.clock.now()).toISOString());
  });
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.httpDuration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Retract API',
        version: `1.${protocolVersion}.0`,
        description:
          'Instant messaging with first-class recall. Errors are `{ "error": { "code", "message", "details" } }`; see docs/errors.md. Live events: WebSocket at /v1/ws (docs/protocol.md).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  installErrorHandling(app);
  // Before any route is declared: it adds itself to each route's onRequest hooks.
  installHttpRateLimits(app, ctx);
  accountRoutes(app);
  sessionRoutes(app);
  conversationRoutes(app);
  messageRoutes(app);
  syncRoutes(app);
  policyRoutes(app);
  attachmentRoutes(app);
  consentRoutes(app);
  auditRoutes(app);
  complianceRoutes(app);
  statsRoutes(app);
  pushRoutes(app);
  webhookRoutes(app);
  apiKeyRoutes(app);
  opsRoutes(app);
  await homeRoutes(app);
  return app;
}
