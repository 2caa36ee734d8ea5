import { extname } from 'node:path';

export const MAX_NAME_LENGTH = 255;

/**
 * A user-sent file name made safe to keep and show: no directory part, no control characters,
 * no invisible format characters (bidirectional embeddings, overrides and isolates, zero-width
 * characters, the BOM: they make `invoice\u202Egpj.exe` show as "invoiceexe.jpg") and no line
 * or paragraph separators, at most 255 characters (never splitting a character). Returns ''
 * when nothing is left.
 * Names are only ever shown back, never used as storage paths.
 */
export function cleanFileName(raw: string): string {
  const lastPart = raw.split(/[/\\]/).pop() ?? '';
  // Cc: control characters; Cf: invisible format characters (bidi overrides and isolates, zero-width
  // characters, BOM) that make a name display as something else; and the line/paragraph separators.
  const printable = lastPart.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '').trim();
  if (printable === '.' || printable === '..') return '';
  return [...printable].slice(0, MAX_NAME_LENGTH).join('').trim();
}

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.zip': 'application/zip',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.ods': 'application/vnd.oasis.opendocument.spreadsheet',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.eml': 'message/rfc822',
  '.md': 'text/markdown',
  '.rtf': 'application/rtf',
  '.7z': 'application/x-7z-compressed',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.mov': 'video/quicktime',
  '.wav': 'audio/wav',
  '.webm': 'video/webm',
  '.ics': 'text/calendar',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The content type a file name suggests by its extension. */
export function contentTypeForName(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
