import type { api, Attachment, MessageType } from '@retract/protocol';
import type { RetractClient } from '@retract/sdk';

/** An HTTP error with the API's stable code, shaped like the SDK's ApiError for errorPhrase(). */
export class WebApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
  ) {
    super(code);
    this.name = 'WebApiError';
  }
}

/**
 * The few endpoints the SDK's HttpApi has no method for (raw uploads, blobs, read receipts, the
 * disappearing timer), called with the client's base URL and token so they behave like the rest.
 */
async function call(
  client: RetractClient,
  method: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (client.token !== null) headers.set('authorization', `Bearer ${client.token}`);
  let response: Response;
  try {
    response = await fetch(client.http.baseUrl + path, { ...init, method, headers });
  } catch {
    throw new WebApiError('network', 0);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
    throw new WebApiError(body?.error?.code ?? 'unknown', response.status);
  }
  return response;
}

async function json<T>(client: RetractClient, method: string, path: string, body?: unknown): Promise<T> {
  const response = await call(
    client,
    method,
    path,
    body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  );
  return (await response.json()) as T;
}

/** Images are sent as `image` (the server checks the bytes); everything else as a plain file. */
export function uploadKind(mime: string): 'image' | 'file' {
  return /^image\/(png|jpeg|gif|webp)$/.test(mime) ? 'image' : 'file';
}

export async function upload(
  client: RetractClient,
  file: File,
): Promise<{ attachment: Attachment; kind: MessageType }> {
  const query = new URLSearchParams({ kind: uploadKind(file.type), name: file.name.slice(0, 200) || 'file' });
  const response = await call(client, 'POST', `/v1/attachments?${query.toString()}`, {
    body: file,
    headers: { 'content-type': 'application/octet-stream' },
  });
  return (await response.json()) as api.UploadResponse;
}

/** The attachment as an object URL (the download needs the bearer token, so <img src> cannot fetch it). */
export async function attachmentUrl(client: RetractClient, id: string): Promise<string> {
  const response = await call(client, 'GET', `/v1/attachments/${encodeURIComponent(id)}`);
  return URL.createObjectURL(await response.blob());
}

export function markRead(client: RetractClient, conversationId: string, upTo: string): Promise<unknown> {
  return json(client, 'POST', `/v1/conversations/${encodeURIComponent(conversationId)}/read`, { upTo });
}

export type Disappearing = { mode: 'after_send' | 'after_read'; seconds: number } | null;

export async function disappearing(client: RetractClient, conversationId: string): Promise<Disappearing> {
  const body = await json<{ disappearing: Disappearing }>(
    client,
    'GET',
    `/v1/conversations/${encodeURIComponent(conversationId)}/disappearing`,
  );
  return body.disappearing;
}

/** Turns the conversation's timer on, changes it, or turns it off (null); owners only. */
export async function setDisappearing(
  client: RetractClient,
  conversationId: string,
  setting: Disappearing,
): Promise<Disappearing> {
  const body = await json<{ disappearing: Disappearing }>(
    client,
    'PUT',
    `/v1/conversations/${encodeURIComponent(conversationId)}/disappearing`,
    { disappearing: setting },
  );
  return body.disappearing;
}

/** Whether the user may open the admin dashboard: `GET /v1/me` says which server roles they hold. */
export async function isServerAdmin(client: RetractClient): Promise<boolean> {
  try {
    return (await client.http.me()).roles.serverAdmin;
  } catch {
    return false;
  }
}
