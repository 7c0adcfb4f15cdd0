import http from 'node:http';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Hold the response until this promise settles (to test timeouts without sleeping). */
  hold?: Promise<unknown>;
}

/**
 * A webhook receiver on 127.0.0.1 (a random port) that records every request and answers
 * what `reply` says (200 "ok" by default). `waitFor(n)` resolves when n requests arrived.
 */
export class Receiver {
  readonly requests: Received[] = [];
  reply: (req: Received, index: number) => Reply = () => ({ status: 200, body: 'ok' });
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = this.requests.push(received) - 1;
      const r = this.reply(received, index);
      this.notify();
      if (r.hold) await r.hold.catch(() => undefined);
      if (res.destroyed) return;
      res.writeHead(r.status ?? 200, r.headers ?? { 'content-type': 'text/plain' });
      res.end(r.body ?? '');
    });
  });
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  url = '';

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  waitFor(n: number, timeoutMs = 15_000): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver got ${this.requests.length} of ${n} requests`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => (this.requests.length >= w.n ? (w.resolve(), false) : true));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
