import { api } from '@retract/protocol';
import type { Server } from '../app.js';
import {
  consistencyProofFor,
  inclusionProofFor,
  listAuditEntries,
  publishedCheckpoint,
  signCheckpointNow,
} from '../../actions/audit-queries.js';
import { exportEvidence } from '../../actions/audit-evidence.js';
import { actorOf } from '../authenticate.js';
import { optionalBody } from '../optional-body.js';

/** The tamper-evident audit log: its signed checkpoints, its entries, proofs, and evidence bundles. */
export function auditRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];
  const tags = ['audit'];

  app.get(
    '/v1/audit/checkpoint',
    {
      schema: {
        tags,
        summary: 'The latest signed checkpoint of the audit log and its public key (public, no session)',
        response: { 200: api.AuditCheckpointResponse },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'no-cache').send(await publishedCheckpoint(ctx)),
  );

  app.post(
    '/v1/audit/checkpoints',
    {
      schema: {
        tags,
        summary: 'Sign a checkpoint of the audit log now (server admins)',
        body: api.EmptyBody,
        response: { 201: api.SignCheckpointResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request, reply) => reply.status(201).send(await signCheckpointNow(ctx, actorOf(request))),
  );

  app.get(
    '/v1/audit/entries',
    {
      schema: {
        tags,
        summary: 'Audit log entries in order, with their hashes (server admins and the compliance role)',
        querystring: api.AuditEntriesQuery,
        response: { 200: api.AuditEntriesPage },
        security,
      },
      onRequest: auth,
    },
    async (request) => listAuditEntries(ctx, actorOf(request), request.query),
  );

  app.get(
    '/v1/audit/proofs/inclusion',
    {
      schema: {
        tags,
        summary: 'Inclusion proof of entry `index` in the tree of `treeSize` (hashes only)',
        querystring: api.InclusionProofQuery,
        response: { 200: api.InclusionProofResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => inclusionProofFor(ctx, request.query),
  );

  app.get(
    '/v1/audit/proofs/consistency',
    {
      schema: {
        tags,
        summary: 'Consistency proof: the tree of `from` is a prefix of the tree of `to` (hashes only)',
        querystring: api.ConsistencyProofQuery,
        response: { 200: api.ConsistencyProofResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => consistencyProofFor(ctx, request.query),
  );

  app.get(
    '/v1/audit/evidence',
    {
      schema: {
        tags,
        summary:
          'Evidence bundle for a message or a conversation: entries, inclusion proofs, a fresh signed checkpoint',
        querystring: api.EvidenceQuery,
        response: { 200: api.EvidenceBundle },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      const bundle = await exportEvidence(ctx, actorOf(request), request.query);
      // The core's bundle type is the protocol's with readonly arrays; the assertion checks they agree.
      return reply.header('cache-control', 'no-store').send(bundle as api.EvidenceBundle);
    },
  );
}
