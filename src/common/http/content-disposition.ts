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

/**
 * The file name of an upload's `Content-Disposition: attachment; filename="..."` or
 * `filename*=UTF-8''...` (preferred when both are there). Null when there is none.
 */
export function filenameFromDisposition(header: string | undefined): string | null {
  if (!header) return null;
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^']*)'[^']*'([^;]*)/i.exec(header);
  if (extended) {
    const charset = extended[1].trim().toLowerCase();
    try {
      if (charset === 'utf-8' || charset === '') return decodeURIComponent(extended[2].trim());
      if (charset === 'iso-8859-1') return unescape(extended[2].trim());
    } catch {
      // A malformed percent-encoding: fall back to the plain filename parameter, if any.
    }
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return utf8FromLatin1(quoted[1].replace(/\\(.)/g, '$1'));
  const token = /(?:^|;)\s*filename\s*=\s*([^";\s]+)/i.exec(header);
  return token ? utf8FromLatin1(token[1]) : null;
}

/** Node reads header bytes as Latin-1; raw UTF-8 bytes in a plain filename are decoded as UTF-8. */
function utf8FromLatin1(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? value : decoded;
}
