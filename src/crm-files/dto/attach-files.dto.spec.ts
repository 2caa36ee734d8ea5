import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../common/errors/api-error.js';
import { RequestValidationPipe } from '../../common/validation/request-validation.pipe.js';
import { AttachFilesDto } from './attach-files.dto.js';

/** The body as the global pipe sees it: the same pipe main.ts installs. */
const validate = (body: unknown) => new RequestValidationPipe().transform(body, { type: 'body', metatype: AttachFilesDto });

/** The fields named by the InvalidRequestError the body is rejected with. */
async function rejectedFields(body: unknown): Promise<string[]> {
  const error = await validate(body).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error, `expected ${JSON.stringify(body)} to be rejected`).toBeInstanceOf(InvalidRequestError);
  const invalid = error as InvalidRequestError;
  expect(invalid.status).toBe(400);
  expect(invalid.extensions.errors?.length).toBeGreaterThan(0);
  for (const fieldError of invalid.extensions.errors ?? []) {
    expect(typeof fieldError.message).toBe('string');
    expect(fieldError.message).not.toBe('');
  }
  return [...new Set((invalid.extensions.errors ?? []).map((fieldError) => fieldError.field))];
}

describe('AttachFilesDto through the request validation pipe', () => {
  describe('accepts', () => {
    it('a list of integer ids, as an AttachFilesDto with the same numbers', async () => {
      const result = await validate({ fileids: [1, 2, 3] });
      expect(result).toBeInstanceOf(AttachFilesDto);
      expect(result).toEqual({ fileids: [1, 2, 3] });
    });

    it('the smallest and the largest id', async () => {
      expect(await validate({ fileids: [1, 2147483647] })).toEqual({ fileids: [1, 2147483647] });
    });

    it('repeated ids (they count once later, not here)', async () => {
      expect(await validate({ fileids: [5, 5, 4] })).toEqual({ fileids: [5, 5, 4] });
    });

    it('entityType and entityid alongside, in any letter case for the type', async () => {
      expect(await validate({ fileids: [1], entityType: 'CONTACT', entityid: 12 })).toEqual({
        fileids: [1],
        entityType: 'CONTACT',
        entityid: 12,
      });
    });

    it('the integer-valued float 2.0, which JSON cannot tell from 2', async () => {
      expect(await validate(JSON.parse('{"fileids": [2.0]}'))).toEqual({ fileids: [2] });
    });
  });

  describe('rejects', () => {
    it.each([
      ['a string id', { fileids: ['1'] }],
      ['a numeric string among integers', { fileids: [1, '2', 3] }],
      ['a fraction', { fileids: [1.5] }],
      ['null', { fileids: [null] }],
      ['a boolean', { fileids: [true] }],
      ['a nested array', { fileids: [[1]] }],
      ['a nested object', { fileids: [{ id: 1 }] }],
      ['0', { fileids: [0] }],
      ['a negative id', { fileids: [-1] }],
      ['2147483648', { fileids: [2147483648] }],
      ['a huge number', { fileids: [1e21] }],
      ['an empty list', { fileids: [] }],
      ['a bare integer instead of a list', { fileids: 1 }],
      ['a string instead of a list', { fileids: '1,2' }],
      ['null instead of a list', { fileids: null }],
      ['an object instead of a list', { fileids: { 0: 1 } }],
    ])('fileids with %s, naming fileids', async (_name, body) => {
      expect(await rejectedFields(body)).toEqual(['fileids']);
    });

    it('a body without fileids, naming fileids', async () => {
      expect(await rejectedFields({})).toEqual(['fileids']);
    });

    it('an unknown property, naming it', async () => {
      expect(await rejectedFields({ fileids: [1], fileId: [1] })).toEqual(['fileId']);
    });

    it('property names in another letter case', async () => {
      expect((await rejectedFields({ FileIds: [1] })).sort()).toEqual(['FileIds', 'fileids']);
    });

    it.each([
      ['a string', '12'],
      ['null', null],
      ['a fraction', 1.5],
      ['a boolean', true],
    ])('entityid as %s, naming entityid', async (_name, entityid) => {
      expect(await rejectedFields({ fileids: [1], entityid })).toEqual(['entityid']);
    });

    it.each([
      ['a number', 1],
      ['null', null],
      ['an array', ['contact']],
    ])('entityType as %s, naming entityType', async (_name, entityType) => {
      expect(await rejectedFields({ fileids: [1], entityType })).toEqual(['entityType']);
    });

    it('every invalid field at once', async () => {
      expect((await rejectedFields({ fileids: ['1'], entityid: '1', extra: true })).sort()).toEqual(['entityid', 'extra', 'fileids']);
    });

    it.each([
      ['an array', [1, 2]],
      ['a number', 1],
      ['a string', '{"fileids":[1]}'],
      ['null', null],
    ])('a body that is %s', async (_name, body) => {
      await expect(validate(body)).rejects.toBeInstanceOf(InvalidRequestError);
    });
  });

  it('never coerces "1" into 1', async () => {
    await expect(validate({ fileids: ['1'] })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(validate({ fileids: [1], entityid: '1' })).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
