/**
 * The benchmark's own databases: a fresh MySQL/MariaDB database (dropped after, also when the
 * run fails or is interrupted) and an embedded SQLite file, both given the service's schema by
 * the service's own migrations, and a way to write many rows fast.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../src/config/database-url.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

export interface ServerUrl {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** `BENCH_MYSQL_URL`: a server, not a database (any database in the path is ignored). */
export function parseServerUrl(url: string): ServerUrl {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') throw new Error(`BENCH_MYSQL_URL must be a mysql:// URL, got ${url}`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
  };
}

export function mysqlUrl(server: ServerUrl, database: string): string {
  const auth = server.password
    ? `${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}`
    : encodeURIComponent(server.user);
  return `mysql://${auth}@${server.host}:${server.port}/${database}`;
}

/** Undo actions run once, in reverse order, on normal exit, on failure and on Ctrl-C. */
const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | null = null;
/** Set on Ctrl-C: whatever fails after it is the interruption, not a finding. */
export let interrupted = false;

export function onCleanup(action: () => Promise<void> | void): void {
  cleanups.push(action);
}

export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const action of cleanups.reverse()) {
      try {
        await action();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    interrupted = true;
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Creates a database of its own on the server; it is dropped by cleanUp(). */
export async function createMysqlDatabase(server: ServerUrl): Promise<{ name: string; config: DatabaseConfig }> {
  const name = `crm_files_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  onCleanup(async () => {
    const connection = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await connection.end();
  });
  return {
    name,
    config: { kind: 'mysql', host: server.host, port: server.port, username: server.user, password: server.password, database: name },
  };
}

export function sqliteDatabase(path: string): DatabaseConfig {
  onCleanup(() => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  });
  return { kind: 'sqlite', path };
}

/** The service's migrations, through the service's own DataSource options. */
export async function migrate(config: DatabaseConfig): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(config));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

export type Row = ReadonlyArray<string | number | null>;

/** Writes rows in big multi-row INSERTs; foreign keys are not checked while filling. */
export interface RowWriter {
  insert(table: string, columns: readonly string[], rows: Iterable<Row>): Promise<number>;
  close(): Promise<void>;
}

export async function mysqlWriter(config: Extract<DatabaseConfig, { kind: 'mysql' }>): Promise<RowWriter> {
  const connection = await mysql.createConnection({
    host: config.host,
    port: config.port,
    user: config.username,
    password: config.password,
    database: config.database,
    charset: 'utf8mb4_unicode_ci',
  });
  await connection.query('SET foreign_key_checks = 0, unique_checks = 0');
  const batchBytes = 2_000_000;
  return {
    async insert(table, columns, rows) {
      const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
      let values: string[] = [];
      let bytes = 0;
      let count = 0;
      const flush = async () => {
        if (values.length === 0) return;
        await connection.query(head + values.join(','));
        values = [];
        bytes = 0;
      };
      for (const row of rows) {
        const tuple = `(${row.map((value) => connection.escape(value)).join(',')})`;
        values.push(tuple);
        bytes += tuple.length;
        count += 1;
        if (bytes >= batchBytes) await flush();
      }
      await flush();
      return count;
    },
    async close() {
      await connection.query('SET foreign_key_checks = 1, unique_checks = 1');
      await connection.end();
    },
  };
}

export async function sqliteWriter(path: string): Promise<RowWriter> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  return {
    async insert(table, columns, rows) {
      const perBatch = Math.max(1, Math.floor(30_000 / columns.length));
      const tuple = `(${columns.map(() => '?').join(',')})`;
      const statements = new Map<number, Database.Statement>();
      const statementFor = (n: number) => {
        let statement = statements.get(n);
        if (!statement) {
          statement = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(n).fill(tuple).join(',')}`);
          statements.set(n, statement);
        }
        return statement;
      };
      let batch: Row[] = [];
      let count = 0;
      const flush = () => {
        if (batch.length === 0) return;
        statementFor(batch.length).run(batch.flat());
        batch = [];
      };
      db.exec('BEGIN');
      for (const row of rows) {
        batch.push(row);
        count += 1;
        if (batch.length === perBatch) flush();
      }
      flush();
      db.exec('COMMIT');
      return count;
    },
    async close() {
      db.pragma('foreign_keys = ON');
      db.close();
    },
  };
}
