import type { CategoryDto } from './dto/category.dto.js';

/** Categories that exist in every tenant without being stored. */
export const SYSTEM_CATEGORIES: ReadonlyMap<number, string> = new Map([
  [-1, 'Task is closed'],
  [-2, 'Files are uploaded'],
  [-3, 'Mail Message'],
]);

export const FILES_UPLOADED_CATEGORY = -2;
export const FILES_UPLOADED_CONTENT = 'Files are uploaded';

/** Created with every tenant, in this order. */
export const DEFAULT_TENANT_CATEGORIES = ['Note', 'Email', 'Call', 'Meeting'] as const;

export function systemCategoryDto(id: number): CategoryDto | null {
  const title = SYSTEM_CATEGORIES.get(id);
  if (title === undefined) return null;
  return { ID: id, Title: title, Description: null, Color: null, ImagePath: null, SortOrder: 0 };
}
