import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StatementBatches } from './statement-batches.js';

/** The fields of mysql2's pool that tell how busy it is; mysql2 exposes no public accessor for them. */
export interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * How busy the database connection pools are, for the metrics: the DataSource's and the one of
 * the statement batches (StatementBatches), added up. SQLite has no pool: both read 0.
 */
@Injectable()
export class DatabasePool {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly batches: StatementBatches,
  ) {}

  connectionsInUse(): number {
    return this.pools().reduce((sum, pool) => sum + (pool._allConnections?.length ?? 0) - (pool._freeConnections?.length ?? 0), 0);
  }

  waitingRequests(): number {
    return this.pools().reduce((sum, pool) => sum + (pool._connectionQueue?.length ?? 0), 0);
  }

  private pools(): Mysql2PoolInternals[] {
    if (!this.dataSource.isInitialized || this.dataSource.options.type !== 'mysql') return [];
    const typeOrmPool = (this.dataSource.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
    return [typeOrmPool, this.batches.mysql2Pool()].filter((pool) => pool !== undefined);
  }
}
