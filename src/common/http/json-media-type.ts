/**
 * How a JSON route reads a request's Content-Type: `application/json`, with no charset or
 * `charset=utf-8` (JSON exchanged between systems is UTF-8, RFC 8259 §8.1). A body declared in
 * another charset would otherwise be read as UTF-8 and mean something else than what was sent.
 */
export function judgeJsonContentType(header: string | undefined): 'json' | 'not-json' | 'other-charset' {
  if (header === undefined) return 'not-json';
  const [mediaType, ...parameters] = header.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') return 'not-json';
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=');
    if (equals < 0 || parameter.slice(0, equals).trim().toLowerCase() !== 'charset') continue;
    const charset = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8') return 'other-charset';
  }
  return 'json';
}
