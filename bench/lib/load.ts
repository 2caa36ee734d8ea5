/** A small closed-loop load generator: N keep-alive connections, each sending its next request when the last one is answered. */
import { Agent, request } from 'node:http';

export interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BenchResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface LoadResult {
  requests: number;
  /** Answers other than 2xx, and transport errors. */
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  latenciesMs: number[];
}

export function send(agent: Agent, port: number, req: BenchRequest): Promise<BenchResponse> {
  return new Promise((done, fail) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(req.body);
    }
    const outgoing = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    outgoing.on('error', fail);
    outgoing.end(req.body);
  });
}

export async function runLoad(
  port: number,
  connections: number,
  durationMs: number,
  next: (n: number) => BenchRequest,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let sequence = 0;
  const started = performance.now();
  const end = started + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const req = next(sequence++);
      const sent = performance.now();
      try {
        const res = await send(agent, port, req);
        latenciesMs.push(performance.now() - sent);
        if (res.status < 200 || res.status >= 300) {
          errors += 1;
          firstError ??= `${res.status} ${res.body.toString('utf8').slice(0, 300)}`;
        }
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { requests: latenciesMs.length, errors, firstError, elapsedMs, latenciesMs };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: number[]): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
