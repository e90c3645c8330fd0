import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The baseline: a minimal `ws` relay doing the transport work Retract does, and nothing else — no
 * validation, storage, authentication or ordering guarantees. A socket joins a group by its URL
 * (`/?group=ID&user=ID`). For each `send` frame it JSON-parses, replies an ack to the sender and
 * broadcasts a `message.created` event to every socket of the group; for each `recall` frame it does the
 * same with `message.recalled`. Frames have Retract's shapes (so the same sizes), and like Retract each
 * event is serialised once with only a per-socket sequence number spliced in.
 */
export interface Relay {
  readonly port: number;
  close(): Promise<void>;
}

interface Peer {
  readonly socket: WebSocket;
  readonly userId: string;
  seq: number;
}

interface SendFrame {
  type: 'send';
  id: string;
  conversationId: string;
  clientMsgId: string;
  body: string;
}
interface RecallFrame {
  type: 'recall';
  id: string;
  messageId: string;
}

/** Message id → what a recall needs; bounded, oldest dropped first. */
const MAX_REMEMBERED = 100_000;

export async function startRelay(host: string): Promise<Relay> {
  const wss = new WebSocketServer({ host, port: 0, perMessageDeflate: false, clientTracking: true });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const groups = new Map<string, Set<Peer>>();
  const messages = new Map<string, { conversationId: string; senderId: string }>();

  const broadcast = (conversationId: string, eventJson: string): void => {
    for (const peer of groups.get(conversationId) ?? []) {
      peer.seq += 1;
      peer.socket.send(`{"type":"event","event":{"seq":${peer.seq},${eventJson.slice(1)}}`);
    }
  };

  const onSend = (peer: Peer, frame: SendFrame): void => {
    const at = new Date().toISOString();
    const message = {
      id: `m_${randomBytes(12).toString('base64url')}`,
      conversationId: frame.conversationId,
      senderId: peer.userId,
      clientMsgId: frame.clientMsgId,
      type: 'text',
      body: frame.body,
      sentAt: at,
      recalled: null,
    };
    remember(message.id, { conversationId: frame.conversationId, senderId: peer.userId });
    peer.socket.send(
      JSON.stringify({ type: 'reply', id: frame.id, ok: true, result: { message, created: true } }),
    );
    broadcast(frame.conversationId, JSON.stringify({ type: 'message.created', at, message }));
  };

  const onRecall = (peer: Peer, frame: RecallFrame): void => {
    const known = messages.get(frame.messageId);
    if (!known) {
      peer.socket.send(
        JSON.stringify({ type: 'reply', id: frame.id, ok: false, error: { code: 'not_found' } }),
      );
      return;
    }
    messages.delete(frame.messageId);
    const at = new Date().toISOString();
    const tombstone = { recalledAt: at, recalledBy: peer.userId, role: 'sender', reason: null };
    const result = { messageId: frame.messageId, conversationId: known.conversationId, tombstone };
    peer.socket.send(
      JSON.stringify({ type: 'reply', id: frame.id, ok: true, result: { ...result, transitioned: true } }),
    );
    broadcast(
      known.conversationId,
      JSON.stringify({ type: 'message.recalled', at, ...result, senderId: known.senderId }),
    );
  };

  const remember = (id: string, value: { conversationId: string; senderId: string }): void => {
    messages.set(id, value);
    if (messages.size > MAX_REMEMBERED) {
      const oldest = messages.keys().next();
      if (!oldest.done) messages.delete(oldest.value);
    }
  };

  wss.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const group = url.searchParams.get('group') ?? '';
    const peer: Peer = { socket, userId: url.searchParams.get('user') ?? '', seq: 0 };
    let members = groups.get(group);
    if (!members) groups.set(group, (members = new Set()));
    members.add(peer);
    socket.on('close', () => members.delete(peer));
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      let frame: SendFrame | RecallFrame;
      try {
        frame = JSON.parse(String(data)) as SendFrame | RecallFrame;
      } catch {
        return;
      }
      if (frame.type === 'send') onSend(peer, frame);
      else if (frame.type === 'recall') onRecall(peer, frame);
    });
    socket.send(JSON.stringify({ type: 'ready', protocol: 1, userId: peer.userId, deviceId: '', cursor: 0 }));
    socket.send(JSON.stringify({ type: 'synced', seq: 0 }));
  });

  return {
    port: (wss.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
