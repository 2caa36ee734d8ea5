import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../common/errors/api-error.js';
import { ParseRecordTypePipe } from './parse-record-type.pipe.js';

const parse = (value: string) => new ParseRecordTypePipe().transform(value, { type: 'param', data: 'entityType' });

describe('ParseRecordTypePipe (contact, opportunity or case, case-insensitive)', () => {
  it.each([
    ['contact', 'contact'],
    ['Contact', 'contact'],
    ['CONTACT', 'contact'],
    ['opportunity', 'opportunity'],
    ['OpPoRtUnItY', 'opportunity'],
    ['case', 'case'],
    ['CASE', 'case'],
  ])('accepts "%s" as %s', (value, expected) => {
    expect(parse(value)).toBe(expected);
  });

  it.each(['lead', 'contacts', 'company', 'person', '', ' contact', 'contact ', 'cases', 'task', 'toString', '__proto__'])(
    'rejects "%s" with an InvalidRequestError naming entityType',
    (value) => {
      let thrown: unknown;
      try {
        parse(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidRequestError);
      expect((thrown as InvalidRequestError).status).toBe(400);
      expect((thrown as InvalidRequestError).extensions.errors).toEqual([
        { field: 'entityType', message: expect.stringContaining('contact, opportunity, case') },
      ]);
    },
  );
});
