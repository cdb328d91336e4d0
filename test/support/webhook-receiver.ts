// A webhook endpoint on loopback for the tests: a real HTTP server that keeps every request (its
// arrival, path, headers and raw body), answers as the test says, and lets a test await the n-th
// request instead of polling. Verifying the signature is the test's (with the standardwebhooks package).
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** Date.now() when it arrived. */
  at: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Answer {
  /** 0: no answer at all (the request is left hanging). */
  status: number;
  headers?: Record<string, string>;
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** How each request is answered (by its index, from 0); 204 unless changed. */
  answer: (request: ReceivedWebhook, index: number) => Answer = () => ({ status: 204 });
  private readonly arrivals = new EventEmitter();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { at: Date.now(), path: req.url ?? '', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') };
        const index = receiver.received.push(request) - 1;
        const { status, headers } = receiver.answer(request, index);
        if (status !== 0) res.writeHead(status, headers).end();
        receiver.arrivals.emit('arrived');
      });
    });
    return receiver;
  }

  /** A URL of this endpoint on 127.0.0.1 (or on `host`, a name the test's resolver answers). */
  url(path = '/hook', host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  /** Resolves once `count` requests have arrived in all; fails naming `what` after `timeoutMs`. */
  async waitFor(count: number, timeoutMs: number, what = `${count} webhook requests`): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.received.length} came)`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([once(this.arrivals, 'arrived'), new Promise((resolve) => { timer = setTimeout(resolve, left); })]);
      clearTimeout(timer);
    }
    return this.received.slice(0, count);
  }

  /** Forgets what came and answers 204 again (between tests). */
  reset(): void {
    this.received.splice(0);
    this.answer = () => ({ status: 204 });
  }

  /** The requests of one message, by its webhook-id. */
  of(webhookId: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.headers['webhook-id'] === webhookId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
