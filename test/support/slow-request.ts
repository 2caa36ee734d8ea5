import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request whose body is sent in two steps, so that the test decides how long it stays in
 * flight: the headers and `first` go out at once, the rest when `finish()` is called.
 * `answer` rejects when the connection ends without an answer.
 */
export function slowRequest(
  agent: Agent,
  url: string,
  options: { method?: string; path: string; headers: Record<string, string>; first: Buffer | string; rest: Buffer | string },
): { finish: () => void; answer: Promise<Answer> } {
  const first = Buffer.from(options.first);
  const rest = Buffer.from(options.rest);
  const target = new URL(options.path, url);
  const outgoing = request(target, {
    agent,
    method: options.method ?? 'POST',
    headers: { ...options.headers, 'Content-Length': String(first.length + rest.length) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
  });
  outgoing.flushHeaders();
  outgoing.write(first);
  return { finish: () => outgoing.end(rest), answer };
}

/** A raw upload of `size` bytes (two different halves) whose second half waits for `finish()`. */
export function slowRawUpload(
  agent: Agent,
  url: string,
  options: { path: string; apiKey: string; fileName: string; size: number },
): { finish: () => void; answer: Promise<Answer> } {
  return slowRequest(agent, url, {
    path: options.path,
    headers: {
      Authorization: options.apiKey,
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="${options.fileName}"`,
    },
    first: Buffer.alloc(options.size / 2, 1),
    rest: Buffer.alloc(options.size / 2, 2),
  });
}
