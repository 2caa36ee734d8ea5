import { parse as parseDisposition } from 'content-disposition';
import { isWellFormedDisposition } from './disposition-syntax.js';

/**
 * Content-Disposition for downloads (RFC 6266): an ASCII `filename` for old clients and the
 * exact UTF-8 name in `filename*` (RFC 5987/8187).
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A Content-Disposition header that does not follow RFC 6266: the caller answers 400. */
export class MalformedDispositionError extends Error {
  constructor() {
    super('The Content-Disposition header is malformed.');
    this.name = 'MalformedDispositionError';
  }
}

/**
 * The file name of an upload's `Content-Disposition: attachment; filename="..."` or
 * `filename*=UTF-8''...` (preferred when both are real parameters). Null when there is none;
 * MalformedDispositionError when the header does not follow RFC 6266. Quoted strings are
 * opaque: a `filename*=` inside one is text of that parameter, never a parameter of its own.
 */
export function filenameFromDisposition(header: string | undefined): string | null {
  if (!header) return null;
  if (!isWellFormedDisposition(header)) throw new MalformedDispositionError();
  const { parameters } = parseDisposition(header);
  // An ext-value the package could not decode stays under its starred name.
  if (parameters['filename*'] !== undefined) throw new MalformedDispositionError();
  const name = parameters.filename;
  if (name === undefined) return null;
  return hasExtendedFilename(header) ? name : utf8FromLatin1(name);
}

/** Whether `filename*` is one of the header's parameters (not text inside a quoted value). */
function hasExtendedFilename(header: string): boolean {
  const { parameters } = parseDisposition(header, { extended: false });
  return parameters['filename*'] !== undefined;
}

/** Node reads header bytes as Latin-1; raw UTF-8 bytes in a plain filename are decoded as UTF-8. */
function utf8FromLatin1(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[\u0100-\u{10ffff}]/u.test(value)) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? value : decoded;
}
