import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * `SELECT ... FOR UPDATE` on MySQL, to serialize writers that touch the same rows. SQLite has
 * no row locks and needs none here: its write transactions already run one at a time
 * (see Transactions).
 */
export function forUpdate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return query.connection.options.type === 'better-sqlite3' ? query : query.setLock('pessimistic_write');
}
