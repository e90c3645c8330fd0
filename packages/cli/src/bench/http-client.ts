import { Agent, request } from 'node:http';

/** A small JSON client over a keep-alive pool, for setup calls and the HTTP rows. */
export interface HttpResponse<T> {
  readonly status: number;
  readonly body: T;
}

export class HttpClient {
  private readonly agent: Agent;

  constructor(
    private readonly base: URL,
    maxSockets: number,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  post<T>(path: string, body: unknown, token?: string): Promise<HttpResponse<T>> {
    const payload = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    };
    if (token) headers['authorization'] = `Bearer ${token}`;
    return new Promise<HttpResponse<T>>((resolve, reject) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method: 'POST',
          path,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T });
            } catch (error) {
              reject(error as Error);
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`POST ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like `post`, but a non-2xx status is an error naming the server's error code. */
  async postOk<T>(path: string, body: unknown, token?: string): Promise<T> {
    const res = await this.post<T & { error?: { code?: string; message?: string } }>(path, body, token);
    if (res.status < 200 || res.status > 299) {
      const error = res.body?.error;
      throw new Error(`POST ${path}: ${res.status} ${error?.code ?? ''} ${error?.message ?? ''}`.trim());
    }
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
