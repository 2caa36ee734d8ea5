import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, QueryFailedError } from 'typeorm';
import type { Mysql2PoolInternals } from './database-pool.js';
import { isLockConflict, LOCK_WAIT_TIMEOUT_SECONDS, Transactions, TRANSACTION_ATTEMPTS } from './transactions.js';

/** What the database answered one statement: its rows (a SELECT), or the id it generated (an INSERT). */
export interface StatementAnswer {
  rows: Record<string, unknown>[];
  insertId: number | null;
}

/**
 * One SQL statement of a batch: text with `?` placeholders and never a value spliced into it,
 * the values, and how to read the answer. The module that owns the tables writes it.
 */
export interface Statement<T> {
  readonly sql: string;
  readonly values: readonly unknown[];
  read(answer: StatementAnswer): T;
}

/** A tuple of statements, typed by the tuple of what each one reads. */
export type Statements<T extends readonly unknown[]> = { readonly [K in keyof T]: Statement<T[K]> };

/** A statement whose answer is not needed (an INSERT that nothing reads back). */
export function statement(sql: string, values: readonly unknown[]): Statement<void> {
  return { sql, values, read: () => undefined };
}

/**
 * A value that holds the id a transaction's first statement (an INSERT) generated, for the
 * statements after it in the same round trip, before the database has answered the id. On MySQL
 * it is written as LAST_INSERT_ID(), which only an INSERT into a table with an AUTO_INCREMENT
 * column changes, and only once that statement has ended. So the first statement must insert
 * exactly one row into such a table (or fail), else LAST_INSERT_ID() is whatever an earlier use
 * of the pooled connection left; and a statement that writes it must not come after another such
 * INSERT. On SQLite the statements run one by one and it is the id itself.
 */
export abstract class InsertedIdValue {
  /** As mysql2 writes the value into the SQL text: as it stands, unescaped, so only SQL made here. */
  abstract toSqlString(): string;
  abstract withId(id: number | null): unknown;
}

class InsertedId extends InsertedIdValue {
  toSqlString(): string {
    return 'LAST_INSERT_ID()';
  }
  withId(id: number | null): number {
    if (id === null) throw new Error('The first statement of the transaction generated no id.');
    return id;
  }
}

/** The id the transaction's first statement generated. */
export const INSERTED_ID: InsertedIdValue = new InsertedId();

/**
 * A text with the inserted id where the stand-in was: its parts, joined by the id. The parts go
 * to MySQL as hexadecimal literals of their UTF-8 bytes, read back as utf8mb4: no quote or
 * backslash to escape whatever the SQL mode, and a large text (a webhook event with a hundred
 * files' JSON) costs one native conversion instead of an escape at each of its many quotes.
 */
class TextWithInsertedId extends InsertedIdValue {
  constructor(private readonly parts: string[]) {
    super();
  }
  toSqlString(): string {
    const literals = this.parts.map((part) => `X'${Buffer.from(part, 'utf8').toString('hex')}'`);
    return `CONVERT(CONCAT(${literals.join(', LAST_INSERT_ID(), ')}) USING utf8mb4)`;
  }
  withId(id: number | null): string {
    return this.parts.join(String(INSERTED_ID.withId(id)));
  }
}

/**
 * A stand-in for the id a transaction's first statement will generate, for a text built before
 * the database answers (a response written into the webhook event): a random negative number,
 * never an id nor guessable, that `inText` finds again in the text and replaces by the id.
 */
export class PendingInsertedId {
  readonly standIn = -(2 ** 47 + randomInt(2 ** 47));

  inText(text: string): InsertedIdValue {
    return new TextWithInsertedId(text.split(String(this.standIn)));
  }
}

/** The smallest part of mysql2's pool and connections that the batches use. */
interface Mysql2Connection {
  query(sql: string, values: readonly unknown[], callback: (error: Mysql2Error | null, result: unknown) => void): void;
  release(): void;
  destroy(): void;
}
interface Mysql2Pool {
  getConnection(callback: (error: Error | null, connection: Mysql2Connection) => void): void;
  on(event: 'connection', listener: (connection: Mysql2Connection) => void): void;
  end(callback: (error: Error | null) => void): void;
}
type Mysql2Error = Error & { fatal?: boolean };
interface TypeOrmMysqlDriver {
  mysql: { createPool(options: object): Mysql2Pool };
  options: object;
  createConnectionOptions(options: object, credentials: object): object;
}

/**
 * Sends several statements in one round trip to MySQL/MariaDB: the reads a request needs at
 * once, or a whole transaction. On loopback each round trip costs the
 * service about as much CPU as a statement's own work, and the attach used to make eight
 * (docs/performance.md, "Round trips").
 *
 * Several statements per round trip need mysql2's `multipleStatements`, which would let a value
 * spliced into SQL stack a statement of its own. So it is enabled on a pool of its own, used only
 * here: the DataSource's pool, which every other query goes through, keeps refusing a second
 * statement. A batch is made of `Statement`s whose text has placeholders only (the values are
 * escaped by mysql2), and a `;` in a statement's text is refused, so only this class joins
 * statements. The pool has the DataSource's connection options (TypeORM's own mapping of them)
 * and as many connections.
 *
 * On SQLite, in process, there is no round trip to save: the statements run one by one, a
 * transaction in the queue of `Transactions`.
 */
@Injectable()
export class StatementBatches implements OnApplicationShutdown {
  private readonly logger = new Logger(StatementBatches.name);
  private pool: Mysql2Pool | null = null;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** The statements' answers, in one round trip on MySQL. Reads only: no transaction is opened. */
  async read<T extends readonly unknown[]>(statements: Statements<T>): Promise<T> {
    if (!this.onMysql()) {
      const answers = [];
      for (const each of statements) answers.push(each.read(answerOf(await this.dataSource.query(each.sql, [...each.values]))));
      return answers as unknown as T;
    }
    const connection = await this.connection();
    let answers: StatementAnswer[];
    try {
      answers = await this.send(connection, statements);
    } finally {
      connection.release();
    }
    return readAll(statements, answers);
  }

  /**
   * The statements in one transaction, sent with its START TRANSACTION and COMMIT in one round
   * trip on MySQL. The statements after the first may write the id the first one generated:
   * `INSERTED_ID`, or a `PendingInsertedId` in a text. A statement that fails stops the rest of
   * the round trip, and the transaction is rolled back; a deadlock or a lock wait timeout runs it
   * all again, as `Transactions.run` does. The answers are read once the COMMIT has succeeded, so
   * that nothing committed is ever reported as failed.
   */
  async transaction<T extends readonly unknown[]>(statements: Statements<T>): Promise<T> {
    if (!this.onMysql()) {
      return this.transactions.run(async (manager) => {
        const answers: unknown[] = [];
        let insertedId: number | null = null;
        for (const each of statements) {
          const values = each.values.map((value) => (value instanceof InsertedIdValue ? value.withId(insertedId) : value));
          const answer = answerOf(await manager.query(each.sql, values));
          insertedId ??= answer.insertId;
          answers.push(each.read(answer));
        }
        return answers as unknown as T;
      });
    }
    for (let attempt = 1; ; attempt++) {
      const connection = await this.connection();
      let answers: StatementAnswer[];
      try {
        answers = await this.send(connection, [START_TRANSACTION, ...statements, COMMIT]);
      } catch (error) {
        // The statements after the failed one did not run: the transaction may still be open.
        if (await this.rollBack(connection, error)) connection.release();
        else connection.destroy();
        if (attempt >= TRANSACTION_ATTEMPTS || !isLockConflict(error)) throw error;
        this.logger.warn(`Transaction rolled back by the database; attempt ${attempt + 1} of ${TRANSACTION_ATTEMPTS}.`);
        // A little random wait, so that the transactions that collided do not collide again.
        await sleep(10 + Math.random() * 40 * attempt);
        continue;
      }
      connection.release();
      return readAll(statements, answers.slice(1, -1));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
  }

  /** The batches' own pool, once a batch has opened it (for its gauges: DatabasePool). */
  mysql2Pool(): Mysql2PoolInternals | undefined {
    return (this.pool ?? undefined) as Mysql2PoolInternals | undefined;
  }

  private onMysql(): boolean {
    return this.dataSource.options.type !== 'better-sqlite3';
  }

  /** One round trip: the statements joined, their values in order, one answer per statement. */
  private send(connection: Mysql2Connection, statements: readonly Statement<unknown>[]): Promise<StatementAnswer[]> {
    for (const each of statements) {
      if (each.sql.includes(';')) throw new Error(`A batch statement must be one statement: ${each.sql}`);
    }
    const sql = statements.map((each) => each.sql).join(';\n');
    const values = statements.flatMap((each) => each.values);
    // Logged one statement at a time, as TypeORM logs its queries.
    for (const each of statements) this.dataSource.logger.logQuery(each.sql, [...each.values]);
    return new Promise((resolve, reject) =>
      connection.query(sql, values, (error, result) => {
        if (error) {
          this.dataSource.logger.logQueryError(error, sql, values);
          return reject(new QueryFailedError(sql, values, error));
        }
        // mysql2 answers one statement with its result, several with an array of results.
        const results = statements.length === 1 ? [result] : (result as unknown[]);
        resolve(results.map(answerOf));
      }),
    );
  }

  /** ROLLBACK after a failed round trip; false when the connection is broken and must not go back to the pool. */
  private async rollBack(connection: Mysql2Connection, error: unknown): Promise<boolean> {
    if ((error as { driverError?: Mysql2Error }).driverError?.fatal) return false;
    try {
      await this.send(connection, [statement('ROLLBACK', [])]);
      return true;
    } catch {
      return false;
    }
  }

  private async connection(): Promise<Mysql2Connection> {
    // As the DataSource's own queries fail once it is destroyed (at shutdown, or by a test).
    if (this.closed || !this.dataSource.isInitialized) throw new Error('The database connections are closed.');
    this.pool ??= this.createPool();
    const pool = this.pool;
    return new Promise((resolve, reject) =>
      pool.getConnection((error, connection) => (error ? reject(new QueryFailedError('', [], error)) : resolve(connection))),
    );
  }

  /** The DataSource's connection options as TypeORM gives them to mysql2, with several statements a query. */
  private createPool(): Mysql2Pool {
    const driver = this.dataSource.driver as unknown as TypeOrmMysqlDriver;
    const pool = driver.mysql.createPool({
      ...driver.createConnectionOptions(driver.options, driver.options),
      multipleStatements: true,
    });
    // mysql2 runs this before anything else the new connection is asked. The lock wait is capped
    // as on the DataSource's connections (Transactions). mysql2 escapes quotes in values with a
    // backslash whatever the server's SQL mode: a server set to NO_BACKSLASH_ESCAPES would read
    // such a quote as the end of the text, and on a connection that takes several statements the
    // rest of a value could then run as a statement of its own. So the mode is cleared here, and a
    // connection that cannot be set up so is not used.
    pool.on('connection', (connection) =>
      connection.query(SESSION_SETUP_SQL, [], (error) => {
        if (!error) return;
        this.logger.error(`A batch connection could not be set up, so it is closed: ${error.message}`);
        connection.destroy();
      }),
    );
    return pool;
  }
}

const SESSION_SETUP_SQL = `SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_SECONDS},
  sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))`;

/** Each statement's answer read as the statement reads it. */
function readAll<T extends readonly unknown[]>(statements: Statements<T>, answers: StatementAnswer[]): T {
  return statements.map((each, index) => each.read(answers[index])) as unknown as T;
}

const START_TRANSACTION = statement('START TRANSACTION', []);
const COMMIT = statement('COMMIT', []);

/**
 * What a statement's result says, from either driver: rows for a SELECT; for an INSERT, the
 * generated id (mysql2 answers a result header with `insertId`; TypeORM's better-sqlite3 runner
 * answers the last row id itself).
 */
export function answerOf(result: unknown): StatementAnswer {
  if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], insertId: null };
  const id = Number(typeof result === 'object' && result !== null ? (result as { insertId?: unknown }).insertId : result);
  return { rows: [], insertId: Number.isSafeInteger(id) && id > 0 ? id : null };
}
