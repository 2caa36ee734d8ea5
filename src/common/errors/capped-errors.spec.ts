import { describe, expect, it } from 'vitest';
import { capFieldErrors, MAX_ERROR_TEXT_LENGTH, MAX_LISTED_ERRORS } from './capped-errors.js';

describe('capFieldErrors', () => {
  it('keeps a short list as it is, with no count', () => {
    const errors = [{ field: 'a', message: 'a is wrong' }];
    expect(capFieldErrors(errors)).toEqual({ errors });
  });

  it('lists the first 50 and counts the rest', () => {
    const errors = Array.from({ length: 30_000 }, (_, i) => ({ field: `f${i}`, message: `property f${i} should not exist` }));
    const capped = capFieldErrors(errors);
    expect(capped.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(capped.errors[0]).toEqual(errors[0]);
    expect(capped.errorsOmitted).toBe(30_000 - MAX_LISTED_ERRORS);
  });

  it('cuts long fields and messages, never inside a character', () => {
    const long = '😀'.repeat(500);
    const [entry] = capFieldErrors([{ field: long, message: `property ${long} should not exist` }]).errors;
    expect([...entry.field]).toHaveLength(MAX_ERROR_TEXT_LENGTH);
    expect([...entry.message]).toHaveLength(MAX_ERROR_TEXT_LENGTH);
    expect(entry.field.endsWith('…')).toBe(true);
    expect(Buffer.from(entry.field, 'utf8').toString('utf8')).toBe(entry.field);
  });
});
