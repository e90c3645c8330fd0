import type { Device, RecallOp, SendOp } from './devices.js';
import type { HttpClient } from './http-client.js';

/**
 * The ways a benchmark device sends and recalls. The WebSocket ones speak Retract's command frames, which
 * the relay understands too; the HTTP ones are Retract's REST routes.
 */
interface MessageResult {
  readonly message?: { readonly id?: string };
}

export const wsSend: SendOp = async (device, group, clientMsgId, body) => {
  const reply = await device.peer.request({
    type: 'send',
    conversationId: group.conversationId,
    clientMsgId,
    body,
  });
  const id = reply.ok ? (reply.result as MessageResult).message?.id : undefined;
  return id === undefined ? { refused: reply.error?.code ?? 'no message id' } : { id };
};

export const wsRecall: RecallOp = async (device, messageId) => {
  const reply = await device.peer.request({ type: 'recall', messageId });
  return reply.ok;
};

export function httpSend(http: HttpClient): SendOp {
  return async (device, group, clientMsgId, body) => {
    try {
      const res = await http.post<MessageResult & { error?: { code?: string } }>(
        `/v1/conversations/${group.conversationId}/messages`,
        { clientMsgId, body },
        tokenOf(device),
      );
      const id = res.status === 201 ? res.body.message?.id : undefined;
      return id === undefined ? { refused: res.body?.error?.code ?? `HTTP ${res.status}` } : { id };
    } catch {
      return { refused: 'network error' };
    }
  };
}

export function httpRecall(http: HttpClient): RecallOp {
  return async (device, messageId) => {
    try {
      const res = await http.post(`/v1/messages/${messageId}/recall`, {}, tokenOf(device));
      return res.status === 200;
    } catch {
      return false;
    }
  };
}

function tokenOf(device: Device): string {
  if (!device.token) throw new Error('an HTTP operation needs a Retract device token');
  return device.token;
}
