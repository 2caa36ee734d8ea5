import { describe, expect, it } from 'vitest';
import type { User } from './entities/user.entity.js';
import { toEmployeeDto } from './employee.mapper.js';

const user = (overrides: Partial<User> = {}): User => ({
  id: 'a1111111-1111-4111-8111-11111111111a',
  tenantId: 1,
  displayName: 'Alice Admin',
  title: 'CRM administrator',
  avatarSmall: '/avatars/alice.png',
  profileUrl: '/people/alice',
  isAdmin: true,
  ...overrides,
});

describe('toEmployeeDto', () => {
  it('names the five fields of the contract and nothing else', () => {
    expect(toEmployeeDto(user())).toStrictEqual({
      Id: 'a1111111-1111-4111-8111-11111111111a',
      DisplayName: 'Alice Admin',
      Title: 'CRM administrator',
      AvatarSmall: '/avatars/alice.png',
      ProfileUrl: '/people/alice',
    });
  });

  it('keeps nullable values as null, never missing', () => {
    const dto = toEmployeeDto(user({ title: null, avatarSmall: null, profileUrl: null }));
    expect(dto).toStrictEqual({
      Id: 'a1111111-1111-4111-8111-11111111111a',
      DisplayName: 'Alice Admin',
      Title: null,
      AvatarSmall: null,
      ProfileUrl: null,
    });
  });

  it('does not reveal the admin flag or the tenant', () => {
    expect(Object.keys(toEmployeeDto(user()))).toEqual(['Id', 'DisplayName', 'Title', 'AvatarSmall', 'ProfileUrl']);
  });
});
