import { describe, expect, it } from 'vitest';
import type { HistoryCategory } from './entities/history-category.entity.js';
import { toCategoryDto } from './category.mapper.js';
import {
  DEFAULT_TENANT_CATEGORIES,
  FILES_UPLOADED_CATEGORY,
  FILES_UPLOADED_CONTENT,
  SYSTEM_CATEGORIES,
  systemCategoryDto,
} from './system-categories.js';

describe('system categories (docs/contract.md, "History events")', () => {
  it('are exactly -1, -2 and -3 with their titles', () => {
    expect([...SYSTEM_CATEGORIES]).toEqual([
      [-1, 'Task is closed'],
      [-2, 'Files are uploaded'],
      [-3, 'Mail Message'],
    ]);
  });

  it('attaching uses -2 with the content "Files are uploaded"', () => {
    expect(FILES_UPLOADED_CATEGORY).toBe(-2);
    expect(FILES_UPLOADED_CONTENT).toBe('Files are uploaded');
  });

  it('map to a full Category with null optional fields', () => {
    expect(systemCategoryDto(-2)).toStrictEqual({
      ID: -2,
      Title: 'Files are uploaded',
      Description: null,
      Color: null,
      ImagePath: null,
      SortOrder: 0,
    });
    expect(systemCategoryDto(-1)?.Title).toBe('Task is closed');
    expect(systemCategoryDto(-3)?.Title).toBe('Mail Message');
  });

  it.each([0, -4, 1, 2])('%i is not a system category', (id) => {
    expect(systemCategoryDto(id)).toBeNull();
  });

  it('every tenant starts with Note, Email, Call, Meeting', () => {
    expect([...DEFAULT_TENANT_CATEGORIES]).toEqual(['Note', 'Email', 'Call', 'Meeting']);
  });
});

describe('toCategoryDto', () => {
  it('names every field of the contract', () => {
    const category: HistoryCategory = {
      id: 5,
      tenantId: 2,
      title: 'Call',
      description: null,
      color: '#ff0000',
      imagePath: null,
      sortOrder: 2,
    };
    expect(toCategoryDto(category)).toStrictEqual({
      ID: 5,
      Title: 'Call',
      Description: null,
      Color: '#ff0000',
      ImagePath: null,
      SortOrder: 2,
    });
  });
});
