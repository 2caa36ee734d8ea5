import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown> & { level: string; msg?: string; requestId?: string };

/** A pino destination that keeps what the application logs: the raw text and the parsed lines. */
export class LogLines extends Writable {
  text = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }

  lines(): LogLine[] {
    return this.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** The per-request lines of one request id. */
  ofRequest(requestId: string): LogLine[] {
    return this.lines().filter((line) => line.requestId === requestId);
  }
}
