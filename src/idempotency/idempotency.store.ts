import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { Transactions } from '../database/transactions.js';
import { IdempotencyRecord } from './entities/idempotency-record.entity.js';

/** How long an answer is replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const CLEAN_UP_EVERY_MS = 10 * 60 * 1000;

export type Claim = { kind: 'claimed'; id: number } | { kind: 'running' } | { kind: 'answered'; record: IdempotencyRecord };

/**
 * Idempotency records in the database, so that every instance sees them. Taking a key is one
 * INSERT against a unique index: of two concurrent requests with one key, exactly one wins.
 */
@Injectable()
export class IdempotencyStore implements OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyStore.name);
  private timer: NodeJS.Timeout | null = null;

  // Writes go through Transactions: on SQLite, a write outside it could land inside another
  // request's open transaction (one shared connection) and vanish with its rollback.
  constructor(
    @InjectRepository(IdempotencyRecord) private readonly records: Repository<IdempotencyRecord>,
    private readonly transactions: Transactions,
  ) {}

  /**
   * Takes the key for a new request, or says who has it. A marker whose request is still
   * "running" after `runningMs` was left by a process that died: it counts as expired, and the
   * key may be taken again, as may a key whose answer is older than 24 hours.
   */
  async claim(apiKeyId: number, keyHash: string, requestHash: string | null, runningMs: number): Promise<Claim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      try {
        const created = await this.transactions.run((manager) =>
          manager.getRepository(IdempotencyRecord).insert({
            apiKeyId,
            keyHash,
            requestHash,
            responseStatus: null,
            responseBody: null,
            createdAt: now,
            expiresAt: new Date(now.getTime() + runningMs),
          }),
        );
        return { kind: 'claimed', id: Number(created.identifiers[0].id) };
      } catch (error) {
        const existing = await this.records.findOne({ where: { apiKeyId, keyHash } });
        if (!existing) {
          // Not a duplicate (the database failed), or the holder was removed meanwhile.
          if (attempt === 2) throw error;
          continue;
        }
        if (existing.expiresAt.getTime() <= now.getTime()) {
          // Only the one who removes this very row takes the key over.
          await this.transactions.run((manager) =>
            manager.getRepository(IdempotencyRecord).delete({ id: existing.id, expiresAt: existing.expiresAt }),
          );
          continue;
        }
        return existing.responseStatus === null ? { kind: 'running' } : { kind: 'answered', record: existing };
      }
    }
    return { kind: 'running' };
  }

  async complete(id: number, requestHash: string, status: number, body: string): Promise<void> {
    await this.transactions.run((manager) =>
      manager
        .getRepository(IdempotencyRecord)
        .update({ id }, { requestHash, responseStatus: status, responseBody: body, expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS) }),
    );
  }

  /** Frees the key (after a 5xx, or an upload that failed before its body was read). */
  async release(id: number): Promise<void> {
    await this.transactions.run((manager) => manager.getRepository(IdempotencyRecord).delete({ id }));
  }

  /** Removes expired answers and abandoned markers; returns how many. */
  async removeExpired(): Promise<number> {
    const result = await this.transactions.run((manager) =>
      manager.getRepository(IdempotencyRecord).delete({ expiresAt: LessThan(new Date()) }),
    );
    return result.affected ?? 0;
  }

  /** Cleans up now and every ten minutes; called by main.ts after the migrations. */
  async start(): Promise<void> {
    await this.cleanUp();
    this.timer = setInterval(() => void this.cleanUp(), CLEAN_UP_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async cleanUp(): Promise<void> {
    try {
      const removed = await this.removeExpired();
      if (removed > 0) this.logger.log(`Removed ${removed} expired Idempotency-Key record(s).`);
    } catch (error) {
      this.logger.warn(`Removing expired Idempotency-Key records failed, will retry: ${(error as Error).message}`);
    }
  }
}
