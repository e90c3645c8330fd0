// An in-memory fetch: records each request and answers from a handler — the cheapest honest seam for
// testing HttpApi and the client's retries.
import type { FetchInit, FetchLike, FetchResponse } from '../src/http.js';

export interface RecordedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type Handler = (request: RecordedRequest) => FetchResponse | Promise<FetchResponse>;

export function fakeFetch(handler: Handler): FetchLike & { calls: RecordedRequest[] } {
  const calls: RecordedRequest[] = [];
  const fetch = async (url: string, init: FetchInit): Promise<FetchResponse> => {
    const request = {
      method: init.method,
      url: new URL(url),
      headers: { ...init.headers },
      // JSON bodies parsed, so tests compare values; raw upload bytes kept as sent.
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : init.body,
    };
    calls.push(request);
    return handler(request);
  };
  return Object.assign(fetch, { calls });
}

export function respond(status: number, body?: unknown, headers: Record<string, string> = {}): FetchResponse {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => headers[name.toLowerCase()] ?? null },
    text: () => Promise.resolve(text),
  };
}

export function errorBody(code: string, details?: Record<string, unknown>): unknown {
  return { error: { code, message: `message of ${code}`, ...(details === undefined ? {} : { details }) } };
}
