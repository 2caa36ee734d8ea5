/**
 * A `pattern` that matches exactly these words in any letter case (`contact`, `CONTACT`,
 * `Contact`...): JSON Schema patterns have no case-insensitive flag, so each letter is a class.
 * An `enum` would forbid the spellings the service accepts.
 */
export function anyLetterCasePattern(words: readonly string[]): string {
  const word = (text: string) =>
    [...text].map((char) => (char.toLowerCase() !== char.toUpperCase() ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char)).join('');
  return `^(${words.map(word).join('|')})$`;
}
