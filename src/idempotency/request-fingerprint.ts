import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
// Brings the multipart request methods (isMultipart, parts) into Fastify's request type.
import type {} from '@fastify/multipart';

/** One file of an upload as the fingerprint sees it: never the bytes, only their hash. */
export interface UploadedPart {
  field: string;
  filename: string;
  type: string;
  sha256: string;
}

interface UploadCollector {
  parts: UploadedPart[];
  complete: boolean;
}

const collectors = new WeakMap<FastifyRequest, UploadCollector>();

/**
 * What makes two requests "the same" for an Idempotency-Key: method, path and query, and the body.
 * A JSON body counts as parsed (spacing does not matter). An upload counts by its files: for a
 * raw body its Content-Type, Content-Disposition and the SHA-256 of its bytes; for multipart each
 * file part's field name, file name, type and SHA-256, in order — not the raw bytes, since a retry
 * may well use another boundary. The hashes are those computed anyway while the content streams
 * to storage, so nothing is buffered.
 */
export function requestFingerprint(request: FastifyRequest, body: { json: unknown } | { parts: UploadedPart[] }): string {
  const subject =
    'json' in body
      ? [request.method, request.url, body.json]
      : request.isMultipart()
        ? [request.method, request.url, 'multipart', body.parts]
        : [request.method, request.url, request.headers['content-type'] ?? '', request.headers['content-disposition'] ?? '', body.parts];
  return createHash('sha256').update(JSON.stringify(subject)).digest('hex');
}

/** Called by the idempotency interceptor before an upload handler runs. */
export function collectUploadedParts(request: FastifyRequest): void {
  collectors.set(request, { parts: [], complete: false });
}

/** Called by the upload code for each file it has stored; does nothing without an Idempotency-Key. */
export function recordUploadedPart(request: FastifyRequest, part: UploadedPart): void {
  collectors.get(request)?.parts.push(part);
}

/** Called by the upload code once the whole body has been read. */
export function markUploadBodyRead(request: FastifyRequest): void {
  const collector = collectors.get(request);
  if (collector) collector.complete = true;
}

/** The parts of an upload whose body was read to the end, else null (it failed before). */
export function takeUploadedParts(request: FastifyRequest): UploadedPart[] | null {
  const collector = collectors.get(request);
  collectors.delete(request);
  return collector?.complete ? collector.parts : null;
}

/**
 * Reads an upload body only to fingerprint it (a retry of a request already answered): the same
 * parts as the upload code records, hashed as they stream, nothing stored.
 */
export async function readUploadedParts(request: FastifyRequest): Promise<UploadedPart[]> {
  const parts: UploadedPart[] = [];
  if (request.isMultipart()) {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      parts.push({ field: part.fieldname, filename: part.filename ?? '', type: part.mimetype, sha256: await hashStream(part.file) });
    }
  } else {
    parts.push(rawPart(await hashStream(request.raw)));
  }
  return parts;
}

/** A raw upload's one part: its headers are in the fingerprint already. */
export function rawPart(sha256: string): UploadedPart {
  return { field: '', filename: '', type: '', sha256 };
}

async function hashStream(stream: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
