import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors/api-error.js';
import { MAX_ID } from '../validation/ids.js';
import { ParseRecordIdPipe } from './parse-record-id.pipe.js';

const parse = (value: string, name = 'entityid') => new ParseRecordIdPipe().transform(value, { type: 'param', data: name });

describe('ParseRecordIdPipe (1 to 2147483647 in plain decimal)', () => {
  it.each([
    ['1', 1],
    ['9', 9],
    ['10', 10],
    ['123456', 123456],
    ['2147483647', 2147483647],
  ])('accepts "%s" as %i', (value, expected) => {
    expect(parse(value)).toBe(expected);
  });

  it('has MAX_ID = 2^31 - 1', () => {
    expect(MAX_ID).toBe(2 ** 31 - 1);
  });

  it.each([
    '0',
    '00',
    '01',
    '-1',
    '+1',
    '1.0',
    '1.5',
    '2147483648',
    '9999999999',
    '99999999999',
    '',
    ' 1',
    '1 ',
    '1e3',
    '0x10',
    'abc',
    '١',
  ])('rejects "%s" with an InvalidRequestError naming the parameter', (value) => {
    let thrown: unknown;
    try {
      parse(value, 'fileid');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRequestError);
    const error = thrown as InvalidRequestError;
    expect(error.status).toBe(400);
    expect(error.extensions.errors).toEqual([{ field: 'fileid', message: expect.stringContaining('fileid') }]);
  });

  it('names "id" when the parameter has no name', () => {
    expect(() => new ParseRecordIdPipe().transform('0', { type: 'param' })).toThrow(/^id /);
  });
});
