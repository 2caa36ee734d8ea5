import { describe, expect, it } from 'vitest';
import { anyLetterCasePattern } from './any-letter-case.js';
import { NULL_ONLY_SCHEMA, rewriteNullableReferences } from './nullable-references.js';

describe('rewriteNullableReferences', () => {
  it('turns {nullable, allOf: [$ref]} into anyOf [$ref, null-only], keeping the description', () => {
    const document = {
      components: {
        schemas: {
          Event: {
            type: 'object',
            properties: {
              Contact: { nullable: true, type: 'object', description: 'or null', allOf: [{ $ref: '#/components/schemas/Contact' }] },
              Name: { type: 'string', nullable: true },
            },
          },
        },
      },
    };
    rewriteNullableReferences(document);
    expect(document.components.schemas.Event.properties).toEqual({
      Contact: { description: 'or null', anyOf: [{ $ref: '#/components/schemas/Contact' }, NULL_ONLY_SCHEMA] },
      Name: { type: 'string', nullable: true },
    });
  });
});

describe('anyLetterCasePattern', () => {
  const pattern = new RegExp(anyLetterCasePattern(['contact', 'case']));
  it.each(['contact', 'CONTACT', 'cOnTaCt', 'case', 'Case'])('matches %s', (word) => expect(pattern.test(word)).toBe(true));
  it.each(['contacts', 'cases', ' case', 'opportunity', ''])('does not match %j', (word) => expect(pattern.test(word)).toBe(false));
});
