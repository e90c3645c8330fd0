/** The outcome of one POST: a status code, or why there was none. Never the receiver's body. */
export interface PostOutcome {
  readonly statusCode: number | null;
  readonly error: string | null;
}

/**
 * POSTs one delivery. Redirects are not followed (a 3xx is a failure: the subscription's URL is the
 * address the admin approved), and the receiver's answer is not read beyond its status.
 */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return { statusCode: response.status, error: ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    return { statusCode: null, error: describe(error) };
  }
}

/** A short, content-free description of a failed request. */
function describe(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return 'request failed';
}
