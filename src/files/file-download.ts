import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RangeNotSatisfiableError } from '../common/errors/api-error.js';
import { attachmentDisposition } from '../common/http/content-disposition.js';
import type { CrmFile } from './entities/crm-file.entity.js';

/** Sent with every download answer: the content is a document of its own, sandboxed. */
export const DOWNLOAD_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

export type ByteRange = { start: number; end: number };

/**
 * A single `Range: bytes=...` request against a size: the range to send, 'unsatisfiable', or
 * null to send the whole content (no header, several ranges, or a form we do not serve).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function entityTag(file: CrmFile): string {
  // Files without a recorded digest (none are written so today) still get a stable tag.
  return `"${file.sha256 ?? `${file.id}-${file.contentLength}-${file.updatedAt.getTime()}`}"`;
}

function matchesEntityTag(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const value = candidate.trim().replace(/^W\//, '');
    return value === '*' || value === tag;
  });
}

/**
 * The download responder: streams a file's content with its headers (ETag, Content-Disposition,
 * Accept-Ranges), answering conditional (If-None-Match, If-Range) and single-range requests.
 */
export function sendFileContent(
  request: FastifyRequest,
  reply: FastifyReply,
  file: CrmFile,
  open: (range?: ByteRange) => Readable,
): FastifyReply {
  const tag = entityTag(file);
  // Uploaded content is the uploader's, in the uploader's type (text/html, image/svg+xml...):
  // opened in a browser it runs with no origin, no scripts and nothing loaded.
  reply
    .header('Cache-Control', 'private, no-cache')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', DOWNLOAD_CONTENT_SECURITY_POLICY);
  // Only answers that are (or stand for) the file carry its headers: a problem must not look like it.
  const asTheFile = () =>
    reply.header('ETag', tag).header('Accept-Ranges', 'bytes').header('Content-Disposition', attachmentDisposition(file.name));

  if (matchesEntityTag(request.headers['if-none-match'], tag)) {
    return asTheFile().status(304).send();
  }

  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || ifRange === tag ? parseRange(request.headers.range, file.contentLength) : null;
  if (range === 'unsatisfiable') throw new RangeNotSatisfiableError(file.contentLength);
  asTheFile().header('Content-Type', file.contentType);
  if (range) {
    return reply
      .status(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${file.contentLength}`)
      .header('Content-Length', String(range.end - range.start + 1))
      .send(open(range));
  }
  return reply.status(200).header('Content-Length', String(file.contentLength)).send(open());
}
