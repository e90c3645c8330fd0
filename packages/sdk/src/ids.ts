/**
 * A fresh clientMsgId: 16 random bytes, base64url (22 characters). Uses getRandomValues rather than
 * randomUUID because browsers only offer randomUUID in secure contexts.
 */
export function newClientMsgId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
