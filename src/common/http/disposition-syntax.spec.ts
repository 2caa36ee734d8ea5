import { describe, expect, it } from 'vitest';
import { filenameFromDisposition, MalformedDispositionError } from './content-disposition.js';
import { isWellFormedDisposition } from './disposition-syntax.js';

describe('isWellFormedDisposition (RFC 6266 grammar)', () => {
  it.each([
    'attachment',
    'attachment; filename="a.txt"',
    'attachment;filename=a.txt',
    'inline ; filename = "a b.txt"',
    `attachment; filename="x"; filename*=UTF-8''na%C3%AFve.txt`,
    `attachment; filename*=iso-8859-1'en'%E9t%E9.txt`,
    `attachment; filename*=UTF-8''it's(1).txt`,
    'attachment; filename="a\\"b.txt"',
    'attachment; filename="r\xe9sum\xe9.txt"',
    'attachment; x="; filename*=UTF-8\'\'evil.exe"; filename="safe.txt"',
  ])('%s is well formed', (header) => {
    expect(isWellFormedDisposition(header)).toBe(true);
  });

  it.each([
    '',
    ';',
    '; filename="a"',
    'attachment; filename',
    'attachment; filename=',
    'attachment; filename="a',
    'attachment; filename="a"b',
    'attachment; filename=a b',
    'attachment; filename="a";',
    'attachment; filename="a"; Filename="b"',
    "attachment; filename*=UTF-8''%2",
    "attachment; filename*=koi8-r''a",
    'attachment; filename*="a.txt"',
    'attachment; filename="a\x01"',
  ])('%j is malformed', (header) => {
    expect(isWellFormedDisposition(header)).toBe(false);
  });
});

describe('filenameFromDisposition', () => {
  it.each([
    [undefined, null],
    ['attachment', null],
    ['attachment; filename="a.txt"', 'a.txt'],
    [`attachment; filename="fallback"; filename*=UTF-8''%E2%82%AC.txt`, '€.txt'],
    [`attachment; filename*=UTF-8''%E2%82%AC.txt; filename="fallback"`, '€.txt'],
    [`attachment; filename="safe.txt"; x="; filename*=UTF-8''evil.exe"`, 'safe.txt'],
    [`attachment; filename="a.txt; filename*=UTF-8''evil.exe"`, `a.txt; filename*=UTF-8''evil.exe`],
    // Raw UTF-8 bytes in a quoted name, as Node reads them (Latin-1), are decoded as UTF-8.
    [`attachment; filename="${Buffer.from('résumé.txt', 'utf8').toString('latin1')}"`, 'résumé.txt'],
  ])('%s → %j', (header, name) => {
    expect(filenameFromDisposition(header)).toBe(name);
  });

  it.each(['attachment; filename="a', "attachment; filename*=UTF-8''%C3%28.txt", 'attachment; filename="a"; filename="b"'])(
    '%s is MalformedDispositionError',
    (header) => {
      expect(() => filenameFromDisposition(header)).toThrow(MalformedDispositionError);
    },
  );
});
