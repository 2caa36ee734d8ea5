import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';

describe('jsonNestsDeeperThan', () => {
  it.each([
    ['{}', 1],
    ['{"a":[1,2]}', 2],
    ['[[[]]]', 3],
    ['{"a":{"b":{"c":[{}]}}}', 5],
    ['"[[[[[["', 0],
    ['{"a":"\\"[[[[","b":[]}', 2],
    ['{"a":"\\\\","b":[[]]}', 3],
  ])('%s nests %i levels', (text, depth) => {
    expect(jsonNestsDeeperThan(text, depth)).toBe(false);
    if (depth > 0) expect(jsonNestsDeeperThan(text, depth - 1)).toBe(true);
  });

  it('judges 100,000 levels without recursion, and text that is not JSON at all', () => {
    expect(jsonNestsDeeperThan('['.repeat(100_000), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestsDeeperThan(`${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`, MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestsDeeperThan(']]]]}}}}', MAX_JSON_DEPTH)).toBe(false);
  });
});
