import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed: the event. */
  event: { id: string; type: string; timestamp: string; tenantId: number; actor: Record<string, unknown>; data: Record<string, unknown> };
  at: number;
}

/** What the receiver answers to one request: a status, optional headers, after an optional delay. */
export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * A real HTTP server on loopback that records every webhook POSTed to it. `answer` decides the
 * reply to each request (200 by default); `waitFor` resolves once enough requests arrived.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (request: ReceivedWebhook, index: number) => ReceiverAnswer = () => ({ status: 200 });
  private waiters: { count: number; resolve: () => void }[] = [];

  private readonly server: Server;
  private path = '/hooks';
  private port = 0;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const entry: ReceivedWebhook = { headers: request.headers, body, event: JSON.parse(body || 'null'), at: Date.now() };
        const index = this.received.push(entry) - 1;
        const answer = this.answer(entry, index);
        setTimeout(() => {
          response.writeHead(answer.status, answer.headers ?? {}).end();
          this.notify();
        }, answer.delayMs ?? 0);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  static async start(path = '/hooks'): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.path = path;
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.port = (receiver.server.address() as AddressInfo).port;
    return receiver;
  }

  /** Resolves once `count` requests have been answered, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedWebhook[]> {
    if (this.received.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Expected ${count} webhooks, got ${this.received.length}: ${this.types().join(', ')}`)),
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
    return this.received.slice(0, count);
  }

  types(): string[] {
    return this.received.map((entry) => entry.event?.type);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private notify(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}
