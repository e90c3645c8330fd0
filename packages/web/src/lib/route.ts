/** Hash routes: the server serves one index.html, so the route lives after `#`. */
export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'conversation'; readonly id: string }
  | { readonly name: 'admin' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const conversation = /^\/c\/([^/?#]+)$/.exec(path);
  if (conversation?.[1] !== undefined)
    return { name: 'conversation', id: decodeURIComponent(conversation[1]) };
  if (path === '/admin' || path.startsWith('/admin/')) return { name: 'admin' };
  return { name: 'home' };
}

export function conversationHref(id: string): string {
  return `#/c/${encodeURIComponent(id)}`;
}
