import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { StatementBatches } from '../database/statement-batches.js';
import { employeeColumnsSql, employeeFromRow } from '../users/employee.sql.js';
import { UsersService } from '../users/users.service.js';
import { apiKeyFromAuthorization, generateApiKey, hashApiKey, hashesEqual } from './api-key-secret.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { ApiKey } from './entities/api-key.entity.js';

const AUTHENTICATE_SQL = `SELECT k.id AS key_id, k.key_hash, u.tenant_id, u.is_admin, ${employeeColumnsSql('u', 'u_')}
  FROM api_keys k INNER JOIN users u ON u.id = k.user_id WHERE k.key_hash = ? AND k.revoked_at IS NULL`;

interface KeyRow extends Record<string, unknown> {
  key_id: number | string;
  key_hash: string;
  tenant_id: number | string;
  is_admin: number | string | boolean;
}

export class UnknownApiKeyError extends Error {}
export class UnknownUserError extends Error {}

/** The `api_keys` table: keys are created and revoked by the CLI and checked on every request. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly apiKeys: Repository<ApiKey>,
    private readonly users: UsersService,
    private readonly batches: StatementBatches,
  ) {}

  /**
   * Looks the key up on every request, without a cache, so that a key created or revoked
   * by the CLI counts from the very next request. One indexed query, hand-written and sent past
   * TypeORM's query path (it runs on every request, and the query builder, then TypeORM's
   * per-query work, cost more CPU than the query): it joins `users` by table
   * name for the user's tenant, role and `Employee`, the one read of another module's table on
   * every request (see docs/ARCHITECTURE.md), since a second query would cost more than it clarifies.
   */
  async authenticate(authorization: string | undefined): Promise<AuthenticatedUser | null> {
    const key = apiKeyFromAuthorization(authorization);
    if (key === null) return null;
    const hash = hashApiKey(key);
    const [row] = await this.batches.read([{ sql: AUTHENTICATE_SQL, values: [hash], read: ({ rows }) => rows[0] as KeyRow | undefined }]);
    if (!row || !hashesEqual(row.key_hash, hash)) return null;
    const employee = employeeFromRow(row, 'u_');
    if (!employee) return null;
    return {
      apiKeyId: Number(row.key_id),
      userId: employee.Id,
      tenantId: Number(row.tenant_id),
      isAdmin: Number(row.is_admin) === 1,
      employee,
    };
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
