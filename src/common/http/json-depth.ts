/**
 * The deepest nesting a JSON request body may have. Nothing this API takes needs more than
 * two levels (`{"fileids": [1, 2]}`); a deeper body is refused before it is parsed, because the
 * recursive steps after parsing (prototype checks, class-transformer, class-validator) would
 * run out of stack on a few thousand levels.
 */
export const MAX_JSON_DEPTH = 16;

/**
 * Whether JSON text opens more than `maxDepth` arrays or objects inside one another. One pass
 * over the text, without recursion, skipping string contents (brackets in strings do not
 * count); the text need not be valid JSON: parsing judges that afterwards.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index++; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
  return false;
}
