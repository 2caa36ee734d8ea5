import { describe, expect, it } from 'vitest';
import { judgeJsonContentType } from './json-media-type.js';

describe('judgeJsonContentType', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['APPLICATION/JSON; CHARSET="UTF-8"', 'json'],
    ['application/json; foo=bar', 'json'],
    ['application/json; charset=utf-16', 'other-charset'],
    ['application/json; charset=x-evil', 'other-charset'],
    ['application/json; charset=', 'other-charset'],
    ['application/json; charset=utf-8; charset=latin1', 'other-charset'],
    ['text/plain', 'not-json'],
    ['application/jsonx', 'not-json'],
    [undefined, 'not-json'],
  ])('%s → %s', (header, judged) => {
    expect(judgeJsonContentType(header)).toBe(judged);
  });
});
