import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_WAIT_TIMEOUT_SECONDS, Transactions } from '../src/database/transactions.js';
import { INSERTED_ID, PendingInsertedId, statement, StatementBatches, type Statement } from '../src/database/statement-batches.js';
import { fixtures } from './support/fixtures.js';
import { databaseKind, startTestApp, type TestApp } from './support/test-app.js';

/**
 * StatementBatches on the test's database: several statements in one round trip on MySQL (one by
 * one on SQLite) with the same answers, a transaction that fails part way leaving nothing, and
 * the DataSource's own pool still refusing a second statement.
 */
describe('statement batches', () => {
  let t: TestApp;
  let batches: StatementBatches;
  let dataSource: DataSource;
  let tenantId: number;

  const tenantName = (id: number): Statement<string | null> => ({
    sql: 'SELECT name FROM tenants WHERE id = ?',
    values: [id],
    read: ({ rows }) => (rows[0]?.name as string | undefined) ?? null,
  });
  const insertTenant = (name: string): Statement<number | null> => ({
    sql: 'INSERT INTO tenants (name, created_at) VALUES (?, ?)',
    values: [name, databaseKind() === 'mysql' ? new Date() : new Date().toISOString().replace('T', ' ').replace('Z', '')],
    read: ({ insertId }) => insertId,
  });
  const countTenantsNamed = async (pattern: string): Promise<number> =>
    Number((await dataSource.query('SELECT COUNT(*) AS n FROM tenants WHERE name LIKE ?', [pattern]))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    batches = t.app.get(StatementBatches);
    dataSource = t.app.get(DataSource);
    tenantId = (await fixtures(t.app).tenant()).id;
  });
  afterAll(() => t?.close());

  it('answers each statement of a read batch, in order', async () => {
    const [name, missing, count] = await batches.read([
      tenantName(tenantId),
      tenantName(2_000_000_000),
      { sql: 'SELECT COUNT(*) AS n FROM tenants WHERE id <= ?', values: [tenantId], read: ({ rows }) => Number(rows[0].n) },
    ]);
    expect(name).toEqual(expect.any(String));
    expect(missing).toBeNull();
    expect(count).toBeGreaterThanOrEqual(1);
  });

  it('writes the id the first statement generated wherever a later one names it, in a text too', async () => {
    const pending = new PendingInsertedId();
    const [firstId] = await batches.transaction([
      insertTenant('batch-first'),
      statement('INSERT INTO tenants (name, created_at) SELECT ?, created_at FROM tenants WHERE id = ?', [
        pending.inText(`batch-copy-of-${pending.standIn}-and-${pending.standIn} “ü” 🚀 '"\\`),
        INSERTED_ID,
      ]),
    ]);
    expect(firstId).toEqual(expect.any(Number));
    const copies = await dataSource.query('SELECT name FROM tenants WHERE name LIKE ?', [`batch-copy-of-${firstId}-%`]);
    expect(copies).toEqual([{ name: `batch-copy-of-${firstId}-and-${firstId} “ü” 🚀 '"\\` }]);
  });

  it('leaves nothing of a transaction whose later statement fails, and the pool keeps working', async () => {
    const failure = await batches
      .transaction([insertTenant('batch-rolled-back'), statement('INSERT INTO no_such_table (id) VALUES (?)', [1])])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(await countTenantsNamed('batch-rolled-back')).toBe(0);
    // Every pooled connection is clean again: no transaction left open to swallow the next writes.
    for (let i = 0; i < 12; i++) await batches.transaction([insertTenant(`batch-after-${i}`)]);
    expect(await countTenantsNamed('batch-after-%')).toBe(12);
  });

  it('refuses a statement that holds a second statement', async () => {
    await expect(batches.read([{ ...tenantName(tenantId), sql: 'SELECT 1; SELECT 2' }])).rejects.toThrow(/one statement/);
  });

  it.runIf(databaseKind() === 'mysql')('caps lock waits on its own connections as on the DataSource’s', async () => {
    const [seen] = await batches.read([
      { sql: 'SELECT @@SESSION.innodb_lock_wait_timeout AS t', values: [], read: ({ rows }) => Number(rows[0].t) },
    ]);
    expect(seen).toBe(LOCK_WAIT_TIMEOUT_SECONDS);
  });

  it.runIf(databaseKind() === 'mysql')(
    'keeps a quote in a value a quote on a server set to NO_BACKSLASH_ESCAPES, so no value can become a statement of its own',
    async () => {
      const hostile = "\\'); DELETE FROM tenants; -- ";
      const before = await countTenantsNamed('%');
      const [[{ mode }]] = [await dataSource.query('SELECT @@GLOBAL.sql_mode AS mode')] as [[{ mode: string }]];
      await dataSource.query("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
      // A pool of its own, so that its connections open under the server's new mode.
      const fresh = new StatementBatches(dataSource, t.app.get(Transactions));
      try {
        const [sessionMode] = await fresh.read([
          { sql: 'SELECT @@SESSION.sql_mode AS mode', values: [], read: ({ rows }) => String(rows[0].mode) },
        ]);
        expect(sessionMode).not.toMatch(/NO_BACKSLASH_ESCAPES/);
        const [id] = await fresh.transaction([insertTenant(hostile)]);
        expect(await dataSource.query('SELECT name FROM tenants WHERE id = ?', [id])).toEqual([{ name: hostile }]);
        expect(await countTenantsNamed('%')).toBe(before + 1);
      } finally {
        await dataSource.query('SET GLOBAL sql_mode = ?', [mode]);
        await fresh.onApplicationShutdown();
      }
    },
  );

  it.runIf(databaseKind() === 'mysql')('leaves the DataSource’s pool refusing two statements in one query', async () => {
    await expect(dataSource.query('SELECT 1; SELECT 2')).rejects.toThrow(/syntax/i);
  });
});
