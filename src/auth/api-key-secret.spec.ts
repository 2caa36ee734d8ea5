import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKeyFromAuthorization, generateApiKey, hashApiKey, hashesEqual } from './api-key-secret.js';

const KEY = '864FE52C-0A1B2C3D-4E5F6071-8293A4B5-C6D7E8F9-01234567-89ABCDEF-FEDCBA98';

describe('generateApiKey', () => {
  it('is eight groups of eight upper-case hex digits: 256 random bits', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^[0-9A-F]{8}(?:-[0-9A-F]{8}){7}$/);
    expect(key.replaceAll('-', '')).toHaveLength(64);
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey()));
    expect(keys.size).toBe(1000);
  });

  it('is accepted by apiKeyFromAuthorization as it is printed', () => {
    const key = generateApiKey();
    expect(apiKeyFromAuthorization(key)).toBe(key);
    expect(apiKeyFromAuthorization(`Bearer ${key}`)).toBe(key);
  });
});

describe('hashApiKey', () => {
  it('is the hex SHA-256 of the key', () => {
    expect(hashApiKey(KEY)).toBe(createHash('sha256').update(KEY).digest('hex'));
    expect(hashApiKey(KEY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs between keys and is stable for one key', () => {
    expect(hashApiKey(KEY)).toBe(hashApiKey(KEY));
    expect(hashApiKey(KEY)).not.toBe(hashApiKey(generateApiKey()));
  });
});

describe('hashesEqual', () => {
  it('compares hex hashes', () => {
    const hash = hashApiKey(KEY);
    expect(hashesEqual(hash, hash)).toBe(true);
    expect(hashesEqual(hash, hashApiKey(generateApiKey()))).toBe(false);
  });

  it('is false, not an exception, for hashes of different lengths', () => {
    expect(hashesEqual(hashApiKey(KEY), 'abcd')).toBe(false);
    expect(hashesEqual('', hashApiKey(KEY))).toBe(false);
  });
});

describe('apiKeyFromAuthorization (the key bare or as "Bearer <key>")', () => {
  it.each([
    ['bare', KEY],
    ['Bearer', `Bearer ${KEY}`],
    ['lower-case bearer', `bearer ${KEY}`],
    ['upper-case BEARER', `BEARER ${KEY}`],
    ['extra spaces after Bearer', `Bearer    ${KEY}`],
    ['a tab after Bearer', `Bearer\t${KEY}`],
    ['surrounding spaces', `   ${KEY}  `],
    ['surrounding spaces with Bearer', `  Bearer ${KEY} `],
    ['a lower-case key', KEY.toLowerCase()],
  ])('reads the key when %s', (_name, header) => {
    expect(apiKeyFromAuthorization(header)).toBe(KEY);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['only spaces', '   '],
    ['"Bearer" alone', 'Bearer'],
    ['"Bearer " with nothing after', 'Bearer '],
    ['Bearer without a space', `Bearer${KEY}`],
    ['another scheme', `Basic ${KEY}`],
    ['Bearer twice', `Bearer Bearer ${KEY}`],
    ['a short key', KEY.slice(0, -1)],
    ['a long key', `${KEY}0`],
    ['a non-hex digit', `${KEY.slice(0, -1)}G`],
    ['missing dashes', KEY.replaceAll('-', '')],
    ['a uuid', '864fe52c-0a1b-4c3d-8e5f-60718293a4b5'],
    ['the key twice', `${KEY} ${KEY}`],
    ['a trailing comma', `${KEY},`],
  ])('is null for %s', (_name, header) => {
    expect(apiKeyFromAuthorization(header)).toBeNull();
  });
});
