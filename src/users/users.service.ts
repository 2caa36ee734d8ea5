import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import { UnknownTenantError } from '../tenants/tenants.service.js';
import { User } from './entities/user.entity.js';

export interface NewUser {
  tenantId: number;
  displayName: string;
  title: string | null;
  isAdmin: boolean;
}

@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(input: NewUser): Promise<string> {
    if (!(await this.dataSource.getRepository(Tenant).existsBy({ id: input.tenantId }))) {
      throw new UnknownTenantError(`No tenant with id ${input.tenantId}.`);
    }
    const id = randomUUID();
    await this.dataSource.getRepository(User).insert({
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
    return this.dataSource.getRepository(User).findOne({ where: { tenantId, isAdmin: true }, order: { displayName: 'ASC', id: 'ASC' } });
  }

  async findById(id: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOneBy({ id });
  }
}
