import { describe, expect, it } from 'vitest';
import { cleanFileName } from './file-name.js';

describe('cleanFileName removes invisible format characters', () => {
  it.each([
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['a\u202Ab\u202Bc\u202Cd\u202De.txt', 'abcde.txt'],
    ['\u2066isolated\u2067\u2068\u2069.txt', 'isolated.txt'],
    ['zero\u200Bwidth\u200C\u200D\u2060.txt', 'zerowidth.txt'],
    ['\uFEFFbom.txt', 'bom.txt'],
    ['marks\u200E\u200F\u061C.txt', 'marks.txt'],
    ['soft\u00ADhyphen.txt', 'softhyphen.txt'],
    ['line\u2028para\u2029.txt', 'linepara.txt'],
    ['Résumé – 2026.pdf', 'Résumé – 2026.pdf'],
  ])('%j → %j', (raw, cleaned) => {
    expect(cleanFileName(raw)).toBe(cleaned);
  });

  it('a name of nothing else is empty', () => {
    expect(cleanFileName('\u202E\u200B\uFEFF')).toBe('');
  });
});
