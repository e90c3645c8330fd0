/**
 * The WebSocket Origin allow-list. A browser always sends `Origin` on a WebSocket upgrade and cannot
 * forge it, so refusing foreign origins stops another site's page from opening a socket with a token it
 * got hold of (or riding a future cookie). Clients that are not browsers send no Origin: nothing to check.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  const parsed = parseOrigin(origin);
  if (parsed === null) return false;
  // Same origin: the page was served by this server under the name the browser used to reach it.
  if (host !== undefined && parsed.host === host.toLowerCase()) return true;
  return allowed.some((entry) => parseOrigin(entry)?.origin === parsed.origin);
}

/** Config entries that are not `*` or a bare origin (`scheme://host[:port]`), for the start-up check. */
export function originProblems(allowed: readonly string[]): string[] {
  return allowed.flatMap((entry, i) =>
    entry === '*' || parseOrigin(entry)?.origin === entry.toLowerCase().replace(/\/$/, '')
      ? []
      : [`/ws/allowedOrigins/${i}: '${entry}' is not an origin like https://chat.example.com (or "*")`],
  );
}

function parseOrigin(value: string): { origin: string; host: string } | null {
  try {
    const url = new URL(value);
    // `null` (sandboxed frames, file:) and other opaque origins never match anything.
    if (url.origin === 'null') return null;
    return { origin: url.origin, host: url.host };
  } catch {
    return null;
  }
}
