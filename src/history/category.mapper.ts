import type { CategoryDto } from './dto/category.dto.js';
import type { HistoryCategory } from './entities/history-category.entity.js';

export function toCategoryDto(category: HistoryCategory): CategoryDto {
  return {
    ID: category.id,
    Title: category.title,
    Description: category.description,
    Color: category.color,
    ImagePath: category.imagePath,
    SortOrder: category.sortOrder,
  };
}
