import { describe, expect, it } from 'vitest';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import type { CrmFile } from './entities/crm-file.entity.js';
import { employeeOf, fileLocation, toFileDto } from './file.mapper.js';

const creator: EmployeeDto = {
  Id: 'a1111111-1111-4111-8111-11111111111a',
  DisplayName: 'Alice Admin',
  Title: 'CRM administrator',
  AvatarSmall: null,
  ProfileUrl: null,
};
const updater: EmployeeDto = {
  Id: 'b2222222-2222-4222-8222-22222222222b',
  DisplayName: 'Mark Member',
  Title: null,
  AvatarSmall: '/a.png',
  ProfileUrl: '/p',
};
const employees = new Map([
  [creator.Id, creator],
  [updater.Id, updater],
]);

const file: CrmFile = {
  id: 42,
  tenantId: 3,
  folderId: 9,
  name: 'proposal.pdf',
  contentType: 'application/pdf',
  contentLength: 1024,
  sha256: 'ab'.repeat(32),
  version: 1,
  createdBy: creator.Id,
  createdAt: new Date(Date.UTC(2026, 10, 27, 9, 12, 27)),
  updatedBy: updater.Id,
  updatedAt: new Date(Date.UTC(2026, 10, 28, 10, 0, 0, 5)),
};

describe('fileLocation', () => {
  it('is the relative content path without a public base URL', () => {
    expect(fileLocation(42, null)).toBe('/api/2.0/crm/files/42/content');
  });

  it('is absolute with a public base URL', () => {
    expect(fileLocation(42, 'https://crm.example.com')).toBe('https://crm.example.com/api/2.0/crm/files/42/content');
    expect(fileLocation(42, 'https://example.com/base')).toBe('https://example.com/base/api/2.0/crm/files/42/content');
  });
});

describe('toFileDto', () => {
  it('names every key of the contract, with ISO dates and both users', () => {
    expect(toFileDto(file, employees, null)).toStrictEqual({
      ID: 42,
      Name: 'proposal.pdf',
      Location: '/api/2.0/crm/files/42/content',
      Updated: '2026-11-28T10:00:00.005Z',
      UpdatedBy: updater,
      Created: '2026-11-27T09:12:27.000Z',
      CreatedBy: creator,
      ContentLength: 1024,
      ContentType: 'application/pdf',
      FolderId: 9,
      Version: 1,
    });
  });

  it('makes Location absolute with PUBLIC_BASE_URL', () => {
    expect(toFileDto(file, employees, 'http://localhost:3000').Location).toBe('http://localhost:3000/api/2.0/crm/files/42/content');
  });

  it('does not leak storage details (tenant, hash)', () => {
    const keys = Object.keys(toFileDto(file, employees, null));
    expect(keys).not.toContain('tenantId');
    expect(keys).not.toContain('sha256');
    expect(keys).toHaveLength(11);
  });

  it('fails loudly when a referenced user was not loaded', () => {
    expect(() => toFileDto(file, new Map([[creator.Id, creator]]), null)).toThrow(updater.Id);
  });
});

describe('employeeOf', () => {
  it('returns the loaded employee', () => {
    expect(employeeOf(employees, creator.Id)).toBe(creator);
  });
});
