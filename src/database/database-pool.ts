import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The fields of mysql2's pool that tell how busy it is; mysql2 exposes no public accessor for them. */
interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/** How busy the database connection pool is, for the metrics. SQLite has no pool: both read 0. */
@Injectable()
export class DatabasePool {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  connectionsInUse(): number {
    const pool = this.mysql2Pool();
    return pool ? (pool._allConnections?.length ?? 0) - (pool._freeConnections?.length ?? 0) : 0;
  }

  waitingRequests(): number {
    return this.mysql2Pool()?._connectionQueue?.length ?? 0;
  }

  private mysql2Pool(): Mysql2PoolInternals | undefined {
    if (!this.dataSource.isInitialized || this.dataSource.options.type !== 'mysql') return undefined;
    return (this.dataSource.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
  }
}
