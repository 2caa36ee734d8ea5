import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_WAIT_TIMEOUT_SECONDS, Transactions } from '../src/database/transactions.js';
import { fixtures } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Deadlocks and lock waits between writers, on a real MySQL/MariaDB server. */
describe('Transactions on MySQL/MariaDB', () => {
  let t: TestApp;
  let transactions: Transactions;
  let rowA: number;
  let rowB: number;

  beforeAll(async () => {
    t = await startTestApp();
    transactions = t.app.get(Transactions);
    const f = fixtures(t.app);
    rowA = (await f.tenant()).id;
    rowB = (await f.tenant()).id;
  });
  afterAll(() => t?.close());

  it('caps lock waits at a few seconds in every transaction', async () => {
    const seen = await Promise.all(
      Array.from({ length: 4 }, () =>
        transactions.run(async (manager) => Number((await manager.query('SELECT @@SESSION.innodb_lock_wait_timeout AS t'))[0].t)),
      ),
    );
    expect(seen).toStrictEqual(Array(4).fill(LOCK_WAIT_TIMEOUT_SECONDS));
  });

  it('runs a transaction the database chose as a deadlock victim again, so both writers succeed', async () => {
    let attempts = 0;
    const reached = { a: false, b: false };
    const until = async (condition: () => boolean) => {
      for (let i = 0; i < 200 && !condition(); i++) await new Promise((done) => setTimeout(done, 10));
    };
    // Each locks one row, waits for the other to lock the other row, then asks for it: a deadlock.
    const writer = (first: number, second: number, mine: 'a' | 'b', theirs: 'a' | 'b') =>
      transactions.run(async (manager) => {
        attempts++;
        await manager.query('UPDATE tenants SET name = ? WHERE id = ?', [`locked by ${mine}`, first]);
        if (!reached[mine]) {
          reached[mine] = true;
          await until(() => reached[theirs]);
        }
        await manager.query('UPDATE tenants SET name = ? WHERE id = ?', [`written by ${mine}`, second]);
        return mine;
      });
    const results = await Promise.allSettled([writer(rowA, rowB, 'a', 'b'), writer(rowB, rowA, 'b', 'a')]);
    expect(results.map((result) => result.status)).toStrictEqual(['fulfilled', 'fulfilled']);
    expect(attempts).toBe(3);
  });
});
