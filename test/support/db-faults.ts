import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { databaseKind } from './test-app.js';

/**
 * Runs `work` while the database refuses every insert into `table` for one tenant (a trigger,
 * dropped when the work ends). Only that tenant's rows fail, so tests sharing the database
 * (MySQL runs every test file against one) are not disturbed.
 */
export async function withInsertsRefused<T>(
  dataSource: DataSource,
  table: 'event_files' | 'history_events' | 'files',
  tenantId: number,
  work: () => PromiseLike<T>,
): Promise<T> {
  const name = `test_refuse_${table}_${tenantId}_${randomBytes(3).toString('hex')}`;
  const tenant = Number(tenantId);
  await dataSource.query(
    databaseKind() === 'mysql'
      ? `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW BEGIN
           IF NEW.tenant_id = ${tenant} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF;
         END`
      : `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} WHEN NEW.tenant_id = ${tenant} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
  );
  try {
    return await work();
  } finally {
    await dataSource.query(`DROP TRIGGER ${name}`);
  }
}
