import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import { InvalidRequestError } from '../common/errors/api-error.js';
import { toCategoryDto } from './category.mapper.js';
import type { CategoryDto } from './dto/category.dto.js';
import { HistoryCategory } from './entities/history-category.entity.js';
import { DEFAULT_TENANT_CATEGORIES, SYSTEM_CATEGORIES } from './system-categories.js';

/** The `history_categories` table: each tenant's own categories (system ones are not stored). */
@Injectable()
export class HistoryCategoriesService {
  constructor(@InjectRepository(HistoryCategory) private readonly categories: Repository<HistoryCategory>) {}

  /** The default categories of a new tenant, in the caller's transaction. */
  async createDefaults(manager: EntityManager, tenantId: number): Promise<void> {
    await manager
      .getRepository(HistoryCategory)
      .insert(DEFAULT_TENANT_CATEGORIES.map((title, index) => ({ tenantId, title, sortOrder: index })));
  }

  async list(tenantId: number): Promise<CategoryDto[]> {
    const categories = await this.categories.find({ where: { tenantId }, order: { sortOrder: 'ASC', id: 'ASC' } });
    return categories.map(toCategoryDto);
  }

  /** Tenant categories by id, for responses: one query, none when no id is positive. */
  async findByIds(ids: number[]): Promise<HistoryCategory[]> {
    const wanted = [...new Set(ids.filter((id) => id > 0))];
    return wanted.length ? this.categories.findBy({ id: In(wanted) }) : [];
  }

  /** A system category, or one of the tenant's own; else 400 naming categoryId. */
  async assertExists(tenantId: number, categoryId: number): Promise<void> {
    if (SYSTEM_CATEGORIES.has(categoryId)) return;
    const exists = categoryId > 0 && (await this.categories.existsBy({ id: categoryId, tenantId }));
    if (!exists) {
      throw new InvalidRequestError(`There is no history category ${categoryId}.`, [{ field: 'categoryId', message: 'unknown category' }]);
    }
  }
}
