import { createECDH, createDecipheriv, hkdfSync, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test doubles for push: a local RFC 8030 push service / push gateway that records every POST, and a
 * browser subscription whose messages the test decrypts itself (RFC 8291, with node:crypto only — not
 * with the library the server encrypts with, so a wrong encryption cannot pass by symmetry).
 */
export interface Captured {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class PushEndpoint {
  readonly captured: Captured[] = [];
  /** Status answers per path, used up in order; 201 once a path's list is empty. */
  readonly script = new Map<string, number[]>();
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<PushEndpoint> {
    const holder: { endpoint?: PushEndpoint } = {};
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const path = request.url ?? '/';
        const status = holder.endpoint?.script.get(path)?.shift() ?? 201;
        holder.endpoint?.record({ path, headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(path.startsWith('/gateway') ? JSON.stringify({ rejected: [] }) : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.endpoint = new PushEndpoint(server, `http://127.0.0.1:${port}`);
    return holder.endpoint;
  }

  private record(c: Captured): void {
    this.captured.push(c);
    this.waiters = this.waiters.filter((w) => {
      if (this.captured.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once `count` requests have arrived in all (tests await, never sleep). */
  waitForCount(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.captured.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${count} pushes (have ${this.captured.length})`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  at(path: string): Captured[] {
    return this.captured.filter((c) => c.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A browser's push subscription: its P-256 key pair and 16-byte auth secret. */
export class Subscription {
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly auth = randomBytes(16);

  constructor() {
    this.ecdh.generateKeys();
  }

  keys(): { p256dh: string; auth: string } {
    return { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.auth.toString('base64url') };
  }

  /** Decrypts an aes128gcm Web Push message (RFC 8188 framing, RFC 8291 keys); throws when it does not verify. */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const idlen = body[20] ?? 0;
    const senderPublic = body.subarray(21, 21 + idlen);
    const ciphertext = body.subarray(21 + idlen);
    const shared = this.ecdh.computeSecret(senderPublic);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), this.ecdh.getPublicKey(), senderPublic]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, this.auth, keyInfo, 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    const padded = Buffer.concat([
      decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
      decipher.final(),
    ]);
    // The last record ends with the delimiter 0x02, then zero padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end -= 1;
    if (padded[end] !== 2) throw new Error('bad padding delimiter');
    return padded.subarray(0, end).toString('utf8');
  }
}
