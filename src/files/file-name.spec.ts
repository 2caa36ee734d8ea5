import { describe, expect, it } from 'vitest';
import { cleanFileName, contentTypeForName, DEFAULT_CONTENT_TYPE } from './file-name.js';

/** A lone surrogate does not survive a round trip through UTF-8. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('cleanFileName (docs/contract.md, "File names": no directory part, no control characters, at most 255 characters)', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['/etc/passwd', 'passwd'],
    ['C:\\x\\y.txt', 'y.txt'],
    ['..\\..\\windows\\system.ini', 'system.ini'],
    ['a/b\\c/d.txt', 'd.txt'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['bad\u0000na\u0007me\r\n.txt', 'badname.txt'],
    ['tab\there.txt', 'tabhere.txt'],
    ['del\u007fand\u0085c1.txt', 'delandc1.txt'],
    ['Résumé – 2026.pdf', 'Résumé – 2026.pdf'],
    ['отчёт.docx', 'отчёт.docx'],
    ['..hidden', '..hidden'],
    ['.env', '.env'],
  ])('%j → %j', (raw, cleaned) => {
    expect(cleanFileName(raw)).toBe(cleaned);
  });

  it.each(['', '   ', '.', '..', ' .. ', 'dir/', 'a/..', 'x\\.', '\u0000\u0001', '/'])('%j → "" (nothing usable is left)', (raw) => {
    expect(cleanFileName(raw)).toBe('');
  });

  it('keeps at most 255 characters', () => {
    expect(cleanFileName('a'.repeat(300))).toBe('a'.repeat(255));
    expect(cleanFileName('b'.repeat(255))).toBe('b'.repeat(255));
  });

  it('never splits a surrogate pair when cutting emoji', () => {
    const cleaned = cleanFileName('😀'.repeat(300));
    expect([...cleaned]).toHaveLength(255);
    expect(cleaned).toBe('😀'.repeat(255));
    expect(wellFormed(cleaned)).toBe(true);
  });

  it('never splits a surrogate pair at an odd offset', () => {
    const cleaned = cleanFileName(`x${'🎉'.repeat(300)}`);
    expect(cleaned).toBe(`x${'🎉'.repeat(254)}`);
    expect(wellFormed(cleaned)).toBe(true);
  });

  it('the well-formedness check itself catches a split pair', () => {
    expect(wellFormed('😀'.slice(0, 1))).toBe(false);
  });

  it('trims what the cut leaves at the end', () => {
    expect(cleanFileName(`${'a'.repeat(254)} tail`)).toBe('a'.repeat(254));
  });
});

describe('contentTypeForName', () => {
  it.each([
    ['notes.txt', 'text/plain'],
    ['page.html', 'text/html'],
    ['PAGE.HTM', 'text/html'],
    ['Report.PDF', 'application/pdf'],
    ['photo.jpeg', 'image/jpeg'],
    ['photo.JPG', 'image/jpeg'],
    ['image.png', 'image/png'],
    ['data.csv', 'text/csv'],
    ['data.json', 'application/json'],
    ['sheet.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['letter.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['archive.tar.zip', 'application/zip'],
    ['README.md', 'text/markdown'],
    ['Letter.RTF', 'application/rtf'],
    ['backup.7z', 'application/x-7z-compressed'],
    ['logs.tar.gz', 'application/gzip'],
    ['bundle.tar', 'application/x-tar'],
    ['clip.MOV', 'video/quicktime'],
    ['voice.wav', 'audio/wav'],
    ['screen.webm', 'video/webm'],
    ['meeting.ics', 'text/calendar'],
  ])('%s → %s', (name, type) => {
    expect(contentTypeForName(name)).toBe(type);
  });

  it.each(['README', 'archive.unknownext', '.txt', 'trailing.', ''])('%j → application/octet-stream', (name) => {
    expect(contentTypeForName(name)).toBe(DEFAULT_CONTENT_TYPE);
    expect(DEFAULT_CONTENT_TYPE).toBe('application/octet-stream');
  });
});
