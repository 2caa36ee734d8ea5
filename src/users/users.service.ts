import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import type { EmployeeDto } from './dto/employee.dto.js';
import { toEmployeeDto } from './employee.mapper.js';
import { User } from './entities/user.entity.js';

export interface NewUser {
  tenantId: number;
  displayName: string;
  title: string | null;
  isAdmin: boolean;
}

/** The `users` table. Other modules name users by id and ask here, in batches. */
@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** A new user of an existing tenant (callers check the tenant: TenantsService.assertExists). */
  async create(input: NewUser): Promise<string> {
    const id = randomUUID();
    await this.users.insert({
      id,
      tenantId: input.tenantId,
      displayName: input.displayName,
      title: input.title,
      avatarSmall: null,
      profileUrl: null,
      isAdmin: input.isAdmin,
    });
    return id;
  }

  async firstAdmin(tenantId: number): Promise<User | null> {
    return this.users.findOne({ where: { tenantId, isAdmin: true }, order: { displayName: 'ASC', id: 'ASC' } });
  }

  async findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** `Employee` responses for any number of user ids: one query. Unknown ids are left out. */
  async employeesByIds(userIds: Iterable<string>): Promise<Map<string, EmployeeDto>> {
    const ids = [...new Set(userIds)];
    const users = await this.users.findBy({ id: In(ids) });
    return new Map(users.map((user) => [user.id, toEmployeeDto(user)]));
  }

  /** Of the given ids, those that are not users of the tenant; inside the caller's transaction. */
  async missingInTenant(manager: EntityManager, tenantId: number, userIds: string[]): Promise<string[]> {
    const wanted = [...new Set(userIds)];
    if (wanted.length === 0) return [];
    const found = await manager.getRepository(User).find({ where: { id: In(wanted), tenantId }, select: { id: true } });
    return wanted.filter((id) => !found.some((user) => user.id === id));
  }
}
