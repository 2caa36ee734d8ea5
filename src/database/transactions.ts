import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';

/** How long a MySQL/MariaDB statement waits for a row lock before it fails (and is retried). */
export const LOCK_WAIT_TIMEOUT_SECONDS = 5;
/** Attempts of a transaction that failed on a deadlock or a lock wait timeout, the first included. */
export const TRANSACTION_ATTEMPTS = 3;

/**
 * Runs writes that belong together in one transaction. TypeORM's SQLite driver shares a single
 * connection, so two overlapping transactions there would nest into each other; on SQLite they
 * are queued one after the other instead. MySQL gives each its own pooled connection.
 *
 * On MySQL/MariaDB, several writers (in one process or in several instances) may deadlock or
 * wait on each other's row locks: lock waits are capped at LOCK_WAIT_TIMEOUT_SECONDS per session,
 * and a transaction that the database rolled back for either reason runs again, up to
 * TRANSACTION_ATTEMPTS times in all. So `work` must be safe to run again: database writes only,
 * or other side effects after the last statement that can conflict (as the content moves are).
 */
@Injectable()
export class Transactions {
  private readonly logger = new Logger(Transactions.name);
  private queue: Promise<unknown> = Promise.resolve();
  /** Pooled connections whose session lock wait is capped already. */
  private readonly capped = new WeakSet<object>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * `readCommitted`: on MySQL/MariaDB, READ COMMITTED instead of REPEATABLE READ, so that locking
   * reads take no gap locks (background work that must never make a request's INSERT wait).
   */
  run<T>(work: (manager: EntityManager) => Promise<T>, options: { readCommitted?: boolean } = {}): Promise<T> {
    if (this.dataSource.options.type !== 'better-sqlite3')
      return this.withRetries(work, options.readCommitted ? 'READ COMMITTED' : undefined);
    const result = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async withRetries<T>(work: (manager: EntityManager) => Promise<T>, isolation?: 'READ COMMITTED'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.mysqlTransaction(work, isolation);
      } catch (error) {
        if (attempt >= TRANSACTION_ATTEMPTS || !isLockConflict(error)) throw error;
        this.logger.warn(
          `Transaction rolled back by the database (${lockConflictCode(error)}); attempt ${attempt + 1} of ${TRANSACTION_ATTEMPTS}.`,
        );
        // A little random wait, so that the transactions that collided do not collide again.
        await sleep(10 + Math.random() * 40 * attempt);
      }
    }
  }

  /**
   * The transaction on one pooled connection, its own statements (START TRANSACTION, COMMIT,
   * ROLLBACK) sent on the raw mysql2 connection: TypeORM's startTransaction and commitTransaction
   * each cost two subscriber broadcasts and a pass through its query path (its promise wrapper,
   * its result objects) for a statement that answers nothing. They still go to the DataSource's
   * logger, as TypeORM's would. The query runner is marked as in a transaction, as TypeORM's own
   * startTransaction marks it, so that `work` behaves the same: a nested `manager.transaction`
   * takes a savepoint, and a `save` opens no transaction of its own.
   */
  private async mysqlTransaction<T>(work: (manager: EntityManager) => Promise<T>, isolation?: 'READ COMMITTED'): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const state = runner as unknown as TransactionState;
    try {
      const connection = (await runner.connect()) as RawConnection;
      await this.capLockWait(runner.connection.driver.options.type, connection);
      if (isolation) await this.send(runner, connection, `SET TRANSACTION ISOLATION LEVEL ${isolation}`);
      await this.send(runner, connection, 'START TRANSACTION');
      state.isTransactionActive = true;
      state.transactionDepth = 1;
      try {
        const result = await work(runner.manager);
        await this.send(runner, connection, 'COMMIT');
        return result;
      } catch (error) {
        await this.send(runner, connection, 'ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        state.isTransactionActive = false;
        state.transactionDepth = 0;
      }
    } finally {
      await runner.release();
    }
  }

  /** One statement of the transaction itself, on the raw connection, logged as TypeORM logs its queries. */
  private send(runner: QueryRunner, connection: RawConnection, sql: string): Promise<void> {
    this.dataSource.logger.logQuery(sql, [], runner);
    return new Promise<void>((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve())));
  }

  /** Once per pooled connection, on the raw connection (no statement in the query log). */
  private async capLockWait(type: string, connection: RawConnection): Promise<void> {
    if ((type !== 'mysql' && type !== 'mariadb') || this.capped.has(connection)) return;
    await new Promise<void>((resolve, reject) =>
      connection.query(`SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_SECONDS}`, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    this.capped.add(connection);
  }
}

interface RawConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}

/** What TypeORM's own startTransaction sets on its query runner (`transactionDepth` is protected there). */
interface TransactionState {
  isTransactionActive: boolean;
  transactionDepth: number;
}

const LOCK_CONFLICTS: Record<string, number> = { ER_LOCK_DEADLOCK: 1213, ER_LOCK_WAIT_TIMEOUT: 1205 };

function lockConflictCode(error: unknown): string | null {
  for (const candidate of [error, (error as { driverError?: unknown })?.driverError]) {
    const { code, errno } = (candidate ?? {}) as { code?: unknown; errno?: unknown };
    for (const [name, number] of Object.entries(LOCK_CONFLICTS)) {
      if (code === name || errno === number) return name;
    }
  }
  return null;
}

/** A deadlock, or a lock wait that timed out: the database gave up on the transaction, not the data. */
export function isLockConflict(error: unknown): boolean {
  return lockConflictCode(error) !== null;
}
