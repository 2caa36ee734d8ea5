import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { parseRetryAfter } from './retry-schedule.js';
import { resolveDeliveryAddress, type DeliveryAddress, type LookupAll } from './target-address.js';
import { WebhookTargetError } from './webhook-target.error.js';

export interface WebhookRequest {
  url: string;
  /** The event JSON exactly as signed. */
  body: string;
  headers: Record<string, string>;
  allowPrivateTargets: boolean;
  /** The whole exchange: resolving, connecting, sending and reading the answer (a receiver has 10 s to answer). */
  timeoutMs?: number;
  /** How much of the answer is read (and discarded) before the connection is cut. */
  maxResponseBytes?: number;
  /** How names resolve: dns.promises.lookup unless a test stands in for DNS. */
  lookup?: LookupAll;
}

export interface DeliveryResult {
  /** The receiver's HTTP status, or null when no complete answer came. */
  status: number | null;
  durationMs: number;
  /** How long the receiver asked us to wait (Retry-After), if it did. */
  retryAfterMs: number | null;
  /** Why the attempt failed without an HTTP status, in words safe to show the tenant admin. */
  error: string | null;
  /** A 2xx answer. */
  delivered: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/** One delivery attempt: POSTs the body to the URL, never follows redirects, and never throws for what the network does. */
export async function sendWebhook(request: WebhookRequest): Promise<DeliveryResult> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const durationMs = () => Math.round(performance.now() - started);
  try {
    const url = parseTarget(request.url);
    const target = await untilAborted(resolveDeliveryAddress(url.hostname, request.allowPrivateTargets, request.lookup), deadline.signal);
    const answer = await post(url, target, request, deadline.signal);
    const delivered = answer.status >= 200 && answer.status < 300;
    return { ...answer, durationMs: durationMs(), error: null, delivered };
  } catch (error) {
    const message = deadline.signal.aborted ? `no complete answer within ${timeoutMs} ms` : describeFailure(error);
    return { status: null, durationMs: durationMs(), retryAfterMs: null, error: message, delivered: false };
  } finally {
    clearTimeout(timer);
  }
}

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('The webhook URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookTargetError('The webhook URL must use https.');
  return url;
}

function post(
  url: URL,
  target: DeliveryAddress,
  request: WebhookRequest,
  signal: AbortSignal,
): Promise<{ status: number; retryAfterMs: number | null }> {
  const maxResponseBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const isHttps = url.protocol === 'https:';
    const req = (isHttps ? https : http).request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      // The connection goes to the address just checked: resolving the name again at connect time
      // would let DNS answer a private address the second time (rebinding).
      lookup: pinnedLookup(target),
      // SNI and the certificate check use the name of the URL, not the address connected to.
      ...(isHttps && isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
      // No keep-alive pool: each attempt connects afresh to the address checked for it. Deliveries
      // to one receiver are seconds to hours apart, so a pool would save little, and a pooled socket
      // would keep going to an address checked long ago.
      agent: false,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      outcome();
    };
    const fail = (error: unknown) => settle(() => reject(error));
    const onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const answer = { status: res.statusCode ?? 0, retryAfterMs: parseRetryAfter(res.headers['retry-after'], new Date()) };
      const done = () => settle(() => resolve(answer));
      let received = 0;
      // The answer is read only so that the receiver can finish writing it; past the limit the
      // connection is cut, so that a receiver streaming forever cannot hold the worker.
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxResponseBytes) done();
      });
      res.on('end', done);
      res.on('error', fail);
      res.on('close', () => (res.complete ? done() : fail(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' }))));
    });
    req.end(request.body);
  });
}

function pinnedLookup(target: DeliveryAddress): LookupFunction {
  return (_hostname, options, callback) => {
    // With autoSelectFamily (Node's default) the socket asks for every address at once.
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/** Rejects when the signal aborts first: a DNS lookup cannot be cancelled, only no longer waited for. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * What went wrong, for the tenant admin. Built from error codes only: Node's messages name the
 * address connected to, which would tell a tenant how our network resolves names.
 */
function describeFailure(error: unknown): string {
  if (error instanceof WebhookTargetError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOTFOUND':
      return 'The webhook host name was not found (DNS).';
    case 'EAI_AGAIN':
      return 'The webhook host name could not be resolved just now (DNS).';
    case 'ECONNREFUSED':
      return 'The receiver refused the connection.';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'The receiver closed the connection before answering completely.';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return 'The receiver could not be reached.';
  }
  if (code === undefined) return 'The delivery failed.';
  if (code.startsWith('HPE_')) return 'The receiver did not answer with valid HTTP.';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `The receiver's TLS certificate was not accepted (${code}).`;
  if (/SSL|TLS/.test(code) || code === 'EPROTO') return `The TLS handshake with the receiver failed (${code}).`;
  return `The delivery failed (${code}).`;
}
