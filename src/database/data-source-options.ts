import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database-url.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';

/** The TypeORM options for a database, shared by the server, the CLI, ormconfig.ts and the tests. */
export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  } as const;
  if (database.kind === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      // WAL lets readers proceed while a write transaction is open (the CLI next to the server).
      enableWAL: database.path !== ':memory:',
      timeout: 5000,
    };
  }
  return {
    ...common,
    type: 'mysql',
    host: database.host,
    port: database.port,
    username: database.username,
    password: database.password,
    database: database.database,
    charset: 'utf8mb4_unicode_ci',
    // Dates are written and read as UTC whatever the server's zone.
    timezone: 'Z',
    // trace: false. TypeORM sends every query through mysql2's promise wrapper, which otherwise
    // captures a stack trace per query (~0.2 ms of CPU per attach, measured in docs/performance.md)
    // only to graft the caller's frames onto a failed query's error; TypeORM wraps that error in a
    // QueryFailedError whose own async stack names the caller anyway.
    extra: { connectionLimit: 10, trace: false },
  };
}
