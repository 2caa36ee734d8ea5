import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The stored answers of requests sent with an Idempotency-Key, shared by every instance. */
export class IdempotencyKeys1764835200000 implements MigrationInterface {
  name = 'IdempotencyKeys1764835200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isMysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'api_key_id', type: 'integer' },
          { name: 'key_hash', type: 'varchar', length: '64' },
          { name: 'request_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'response_status', type: 'integer', isNullable: true },
          // An attach answer lists up to MAX_FILE_IDS files: more than MySQL's TEXT may hold.
          { name: 'response_body', type: isMysql ? 'mediumtext' : 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'expires_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          new TableIndex({ name: 'UQ_idempotency_keys_api_key_key', columnNames: ['api_key_id', 'key_hash'], isUnique: true }),
          new TableIndex({ name: 'IDX_idempotency_keys_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
