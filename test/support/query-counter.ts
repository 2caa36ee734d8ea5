import type { Logger as TypeOrmLogger } from 'typeorm';

/** A TypeORM logger that counts the SQL statements sent while it is recording. */
export class QueryCounter implements TypeOrmLogger {
  private recorded: string[] | null = null;

  async count<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    this.recorded = [];
    try {
      const result = await work();
      return { result, statements: this.recorded };
    } finally {
      this.recorded = null;
    }
  }

  logQuery(query: string): void {
    this.recorded?.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
