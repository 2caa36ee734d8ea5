import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { UsersService } from '../users/users.service.js';
import { apiKeyFromAuthorization, generateApiKey, hashApiKey, hashesEqual } from './api-key-secret.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { ApiKey } from './entities/api-key.entity.js';

export class UnknownApiKeyError extends Error {}
export class UnknownUserError extends Error {}

/** The `api_keys` table: keys are created and revoked by the CLI and checked on every request. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly apiKeys: Repository<ApiKey>,
    private readonly users: UsersService,
  ) {}

  /**
   * Looks the key up on every request, without a cache, so that a key created or revoked
   * by the CLI counts from the very next request. One indexed query: it joins `users` by table
   * name for the user's tenant and role, the one read of another module's table (see
   * docs/ARCHITECTURE.md), since a second query on every request would cost more than it clarifies.
   */
  async authenticate(authorization: string | undefined): Promise<AuthenticatedUser | null> {
    const key = apiKeyFromAuthorization(authorization);
    if (key === null) return null;
    const hash = hashApiKey(key);
    const row = await this.apiKeys
      .createQueryBuilder('k')
      .innerJoin('users', 'u', 'u.id = k.user_id')
      .select(['k.id AS key_id', 'k.key_hash AS key_hash', 'u.id AS user_id', 'u.tenant_id AS tenant_id', 'u.is_admin AS is_admin'])
      .where('k.key_hash = :hash AND k.revoked_at IS NULL', { hash })
      .getRawOne<{ key_id: number; key_hash: string; user_id: string; tenant_id: number; is_admin: number | boolean }>();
    if (!row || !hashesEqual(row.key_hash, hash)) return null;
    return { apiKeyId: Number(row.key_id), userId: row.user_id, tenantId: Number(row.tenant_id), isAdmin: Boolean(Number(row.is_admin)) };
  }

  async create(userId: string, label: string | null): Promise<{ id: number; apiKey: string }> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnknownUserError(`No user with id ${userId}.`);
    const apiKey = generateApiKey();
    const saved = await this.apiKeys.save({ userId, label, keyHash: hashApiKey(apiKey), createdAt: new Date(), revokedAt: null });
    return { id: saved.id, apiKey };
  }

  async revoke(id: number): Promise<void> {
    const result = await this.apiKeys.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new UnknownApiKeyError(`No active API key with id ${id}.`);
  }
}
