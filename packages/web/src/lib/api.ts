import type { api } from '@retract/protocol';
import type { DisappearingSetting, RetractClient } from '@retract/sdk';

/**
 * Files up to the server's limit (25 MB by default) on a slow link take minutes, not the 30 s a JSON
 * call is given; a transfer that has not finished by then is stuck, not slow.
 */
const TRANSFER_TIMEOUT_MS = 10 * 60_000;

/** Images are sent as `image` (the server checks the bytes); everything else as a plain file. */
export function uploadKind(mime: string): 'image' | 'file' {
  return /^image\/(png|jpeg|gif|webp)$/.test(mime) ? 'image' : 'file';
}

export function upload(client: RetractClient, file: File): Promise<api.UploadResponse> {
  return client.http.uploadAttachment(file, {
    kind: uploadKind(file.type),
    name: file.name.slice(0, 200) || 'file',
    timeoutMs: TRANSFER_TIMEOUT_MS,
  });
}

/** The attachment as an object URL (the download needs the bearer token, so <img src> cannot fetch it). */
export async function attachmentUrl(client: RetractClient, id: string): Promise<string> {
  const blob = await client.http.downloadAttachment(id, { timeoutMs: TRANSFER_TIMEOUT_MS });
  return URL.createObjectURL(blob);
}

export function markRead(client: RetractClient, conversationId: string, upTo: string): Promise<unknown> {
  return client.http.markRead(conversationId, upTo);
}

export type Disappearing = DisappearingSetting;

export async function disappearing(client: RetractClient, conversationId: string): Promise<Disappearing> {
  return (await client.http.disappearing(conversationId)).disappearing;
}

/** Turns the conversation's timer on, changes it, or turns it off (null); owners only. */
export async function setDisappearing(
  client: RetractClient,
  conversationId: string,
  setting: Disappearing,
): Promise<Disappearing> {
  return (await client.http.setDisappearing(conversationId, setting)).disappearing;
}

/** Whether the user may open the admin dashboard: `GET /v1/me` says which server roles they hold. */
export async function isServerAdmin(client: RetractClient): Promise<boolean> {
  try {
    return (await client.http.me()).roles.serverAdmin;
  } catch {
    return false;
  }
}
