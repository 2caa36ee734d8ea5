/**
 * Whether a Content-Disposition value follows the grammar of RFC 6266 §4.1:
 *
 *   disposition-type *( OWS ";" OWS name "=" ( token / quoted-string ) )
 *
 * where a parameter whose name ends in `*` takes an RFC 8187 ext-value (`UTF-8''...` or
 * `ISO-8859-1''...`, percent-encoded), and no parameter is named twice. The values themselves
 * are read by the `content-disposition` package; this check only refuses what that lenient
 * parser would read past (an unterminated quote, a parameter without `=`, text after a quoted
 * string, a repeated parameter), so that such headers are rejected rather than guessed at.
 */
export function isWellFormedDisposition(header: string): boolean {
  let index = skipWhitespace(header, 0);
  const typeEnd = skipToken(header, index);
  if (typeEnd === index) return false;
  index = skipWhitespace(header, typeEnd);
  const seen = new Set<string>();
  while (index < header.length) {
    if (header[index] !== ';') return false;
    index = skipWhitespace(header, index + 1);
    const nameEnd = skipToken(header, index);
    if (nameEnd === index) return false;
    const name = header.slice(index, nameEnd).toLowerCase();
    if (seen.has(name)) return false;
    seen.add(name);
    index = skipWhitespace(header, nameEnd);
    if (header[index] !== '=') return false;
    index = skipWhitespace(header, index + 1);
    let valueEnd: number;
    if (name.endsWith('*')) {
      valueEnd = skipExtValue(header, index);
    } else if (header[index] === '"') {
      valueEnd = skipQuotedString(header, index);
    } else {
      valueEnd = skipToken(header, index);
      if (valueEnd === index) return false;
    }
    if (valueEnd < 0) return false;
    index = skipWhitespace(header, valueEnd);
  }
  return true;
}

// RFC 9110 tchar.
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function skipWhitespace(text: string, index: number): number {
  while (text[index] === ' ' || text[index] === '\t') index++;
  return index;
}

function skipToken(text: string, index: number): number {
  while (index < text.length && TOKEN_CHAR.test(text[index])) index++;
  return index;
}

/** The end of a quoted-string starting at `index` (its opening quote), or -1 when it never ends. */
function skipQuotedString(text: string, index: number): number {
  for (let at = index + 1; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x22) return at + 1;
    if (code === 0x5c) {
      at++;
      if (at >= text.length || !isQuotedPairChar(text.charCodeAt(at))) return -1;
    } else if (!isQuotedPairChar(code)) {
      return -1;
    }
  }
  return -1;
}

/** HTAB, SP, visible ASCII and obs-text (bytes 0x80-0xFF, as Node reads header bytes). */
function isQuotedPairChar(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

/**
 * The end of an RFC 8187 ext-value, or -1: a charset we read (UTF-8 or ISO-8859-1), an optional
 * language, and value characters with well-formed percent escapes. `(`, `)` are let through as
 * encodeURIComponent leaves them unescaped and clients send them so.
 */
function skipExtValue(text: string, index: number): number {
  const match = /^(utf-8|iso-8859-1)'[A-Za-z0-9-]*'/i.exec(text.slice(index));
  if (!match) return -1;
  let at = index + match[0].length;
  while (at < text.length) {
    const char = text[at];
    if (char === '%') {
      if (!/^[0-9A-Fa-f]{2}$/.test(text.slice(at + 1, at + 3))) return -1;
      at += 3;
    } else if (TOKEN_CHAR.test(char) || char === '(' || char === ')') {
      at++;
    } else {
      break;
    }
  }
  return at;
}
