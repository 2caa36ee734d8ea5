import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookHeaders } from './signature.js';
import type { LookupAll } from './target-address.js';
import { sendWebhook, type WebhookRequest } from './webhook-sender.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  port: number;
  url: (path?: string) => string;
  received: Received[];
  /** Connections opened, whether or not a request arrived on them. */
  connections: number;
}

const servers: Array<http.Server | https.Server> = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on loopback; `answer` runs once the request's body has arrived. */
async function startReceiver(answer: (req: IncomingMessage, res: ServerResponse) => void, server = http.createServer()): Promise<Receiver> {
  const receiver: Receiver = {
    port: 0,
    url: (path = '/hooks') => `http://127.0.0.1:${receiver.port}${path}`,
    received: [],
    connections: 0,
  };
  server.on('connection', () => receiver.connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  return receiver;
}

const body = JSON.stringify({ id: 'evt_1', type: 'file.uploaded', tenantId: 7, data: { File: { ID: 12, Title: 'Devis n°3 — été.pdf' } } });
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function delivery(url: string, overrides: Partial<WebhookRequest> = {}): WebhookRequest {
  return { url, body, headers: webhookHeaders(secret, 'evt_1', 1_773_144_000, body), allowPrivateTargets: true, ...overrides };
}

/** A stand-in for DNS that answers `address` for every name, counting the questions. */
function pointingAt(address: string): { lookup: LookupAll; questions: () => number } {
  let questions = 0;
  const lookup: LookupAll = () => {
    questions++;
    return Promise.resolve([{ address, family: 4 }]);
  };
  return { lookup, questions: () => questions };
}

describe('sendWebhook', () => {
  it('delivers on a 2xx: the receiver gets the exact body and the signed headers', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'));
    const result = await sendWebhook(delivery(receiver.url('/hooks/crm?tenant=7')));
    expect(result).toEqual({ status: 200, durationMs: expect.any(Number), retryAfterMs: null, error: null, delivered: true });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/crm?tenant=7');
    expect(request.body).toBe(body);
    expect(request.headers).toMatchObject({
      ...webhookHeaders(secret, 'evt_1', 1_773_144_000, body),
      'content-length': String(Buffer.byteLength(body)),
      host: `127.0.0.1:${receiver.port}`,
    });
  });

  it('counts any 2xx as delivered', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(204).end());
    expect(await sendWebhook(delivery(receiver.url()))).toMatchObject({ status: 204, delivered: true, error: null });
  });

  it('reports a 500 as not delivered, with its status', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(500).end('boom'));
    expect(await sendWebhook(delivery(receiver.url()))).toEqual({
      status: 500,
      durationMs: expect.any(Number),
      retryAfterMs: null,
      error: null,
      delivered: false,
    });
  });

  it("reads a 429's Retry-After, in seconds or as a date", async () => {
    const seconds = await startReceiver((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    expect(await sendWebhook(delivery(seconds.url()))).toMatchObject({ status: 429, retryAfterMs: 120_000, delivered: false });

    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const date = await startReceiver((_req, res) => res.writeHead(503, { 'retry-after': inAnHour }).end());
    const { retryAfterMs } = await sendWebhook(delivery(date.url()));
    expect(retryAfterMs).toBeGreaterThan(3_590_000);
    expect(retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });

  it('does not follow a redirect: a 302 is a failed attempt, and its Location receives nothing', async () => {
    const elsewhere = await startReceiver((_req, res) => res.writeHead(200).end());
    const receiver = await startReceiver((_req, res) => res.writeHead(302, { location: elsewhere.url('/other') }).end());
    expect(await sendWebhook(delivery(receiver.url()))).toMatchObject({ status: 302, delivered: false, error: null });
    expect(receiver.received).toHaveLength(1);
    expect(elsewhere.connections).toBe(0);
  });

  it('gives up on a receiver that never answers, within the timeout', async () => {
    const receiver = await startReceiver(() => {});
    const result = await sendWebhook(delivery(receiver.url(), { timeoutMs: 300 }));
    expect(result).toEqual({
      status: null,
      durationMs: expect.any(Number),
      retryAfterMs: null,
      error: 'no complete answer within 300 ms',
      delivered: false,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(1_000);
    expect(receiver.received).toHaveLength(1);
  });

  it('counts reading the answer in the timeout: headers then silence is no answer', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('working on it');
    });
    const result = await sendWebhook(delivery(receiver.url(), { timeoutMs: 300 }));
    expect(result).toMatchObject({ status: null, error: 'no complete answer within 300 ms', delivered: false });
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('counts name resolution in the timeout', async () => {
    const result = await sendWebhook(delivery('https://hooks.example.com/', { timeoutMs: 200, lookup: () => new Promise(() => {}) }));
    expect(result).toMatchObject({ status: null, error: 'no complete answer within 200 ms', delivered: false });
  });

  it('cuts a receiver that streams an endless answer once the limit is read', async () => {
    let written = 0;
    let cut = false;
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.on('close', () => (cut = true));
      const chunk = Buffer.alloc(4096, 'x');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const result = await sendWebhook(delivery(receiver.url(), { maxResponseBytes: 16 * 1024, timeoutMs: 5_000 }));
    expect(result).toMatchObject({ status: 200, delivered: true, error: null });
    expect(result.durationMs).toBeLessThan(4_000);
    await expect.poll(() => cut).toBe(true);
    expect(written).toBeGreaterThan(16 * 1024);
  });

  it('reports a closed port as refused, without a status', async () => {
    const receiver = await startReceiver(() => {});
    const closed = receiver.url();
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    expect(await sendWebhook(delivery(closed))).toEqual({
      status: null,
      durationMs: expect.any(Number),
      retryAfterMs: null,
      error: 'The receiver refused the connection.',
      delivered: false,
    });
  });

  it('reports a connection dropped before the answer', async () => {
    const receiver = await startReceiver((req) => req.socket.destroy());
    expect(await sendWebhook(delivery(receiver.url()))).toMatchObject({
      status: null,
      error: 'The receiver closed the connection before answering completely.',
      delivered: false,
    });
  });

  it('reports an answer that is not HTTP', async () => {
    const receiver = await startReceiver((req) => req.socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    expect(await sendWebhook(delivery(receiver.url()))).toMatchObject({
      status: null,
      error: 'The receiver did not answer with valid HTTP.',
      delivered: false,
    });
  });

  it('refuses loopback targets unless private targets are allowed: nothing reaches the receiver', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(200).end());
    expect(await sendWebhook(delivery(receiver.url(), { allowPrivateTargets: false }))).toMatchObject({
      status: null,
      error: 'The webhook target is a loopback, private, link-local or reserved address.',
      delivered: false,
    });
    expect(await sendWebhook(delivery(`http://localhost:${receiver.port}/hooks`, { allowPrivateTargets: false }))).toMatchObject({
      status: null,
      error: 'The webhook host "localhost" resolves to a loopback, private, link-local or reserved address.',
      delivered: false,
    });
    // A public name that DNS now answers with a loopback address.
    const rebound = pointingAt('127.0.0.1');
    expect(
      await sendWebhook(delivery(`http://hooks.example.com:${receiver.port}/`, { allowPrivateTargets: false, lookup: rebound.lookup })),
    ).toMatchObject({
      status: null,
      error: 'The webhook host "hooks.example.com" resolves to a loopback, private, link-local or reserved address.',
      delivered: false,
    });
    expect(receiver.connections).toBe(0);
  });

  it('connects to the address it checked, resolving the name once, and keeps the name as Host', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(200).end());
    const dns = pointingAt('127.0.0.1');
    const result = await sendWebhook(delivery(`http://hooks.example.com:${receiver.port}/in`, { lookup: dns.lookup }));
    expect(result).toMatchObject({ status: 200, delivered: true });
    expect(dns.questions()).toBe(1);
    expect(receiver.received.map((request) => request.headers.host)).toEqual([`hooks.example.com:${receiver.port}`]);
  });

  it('reports a name that does not resolve', async () => {
    const result = await sendWebhook(delivery('https://no-such-host.invalid/hooks', { timeoutMs: 5_000 }));
    expect(result).toMatchObject({ status: null, delivered: false });
    expect(result.error).toMatch(/^The webhook host name (was not found|could not be resolved just now) \(DNS\)\.$/);
  });

  it('reports a URL it cannot use', async () => {
    expect(await sendWebhook(delivery('not a url'))).toMatchObject({ status: null, error: 'The webhook URL is not a valid absolute URL.' });
    expect(await sendWebhook(delivery('ftp://hooks.example.com/'))).toMatchObject({
      status: null,
      error: 'The webhook URL must use https.',
    });
  });

  describe('over https', () => {
    let tls: { key: Buffer; cert: Buffer };

    beforeAll(() => {
      // A self-signed certificate for hooks.example.com, made for the run.
      const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=hooks.example.com',
            '-addext',
            'subjectAltName=DNS:hooks.example.com',
          ].concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
          { stdio: 'ignore' },
        );
        tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("sends the URL's name for SNI while connecting to the checked address, and refuses a certificate it cannot verify", async () => {
      const servernames: string[] = [];
      const server = https.createServer({
        ...tls,
        SNICallback: (servername, done) => {
          servernames.push(servername);
          done(null, null as never);
        },
      });
      const receiver = await startReceiver((_req, res) => res.writeHead(200).end(), server);
      const result = await sendWebhook(
        delivery(`https://hooks.example.com:${receiver.port}/hooks`, { lookup: pointingAt('127.0.0.1').lookup }),
      );
      expect(result).toMatchObject({
        status: null,
        error: "The receiver's TLS certificate was not accepted (DEPTH_ZERO_SELF_SIGNED_CERT).",
        delivered: false,
      });
      expect(servernames).toEqual(['hooks.example.com']);
      expect(receiver.received).toEqual([]);
    });

    it('reports a TLS handshake with a server that does not speak TLS', async () => {
      const receiver = await startReceiver((_req, res) => res.writeHead(200).end());
      const result = await sendWebhook(delivery(`https://127.0.0.1:${receiver.port}/hooks`));
      expect(result).toMatchObject({ status: null, delivered: false });
      expect(result.error).toMatch(/^The TLS handshake with the receiver failed \(\w+\)\.$/);
    });
  });
});
