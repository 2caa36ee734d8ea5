import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * file_ids: file ids are taken before the content is written (the storage key is made from
 * the id) and the file row is inserted with that id afterwards. The counter continues after the
 * ids files already use. Auto-increment on both databases never hands out an id twice, not even
 * after the highest row is deleted (SQLite AUTOINCREMENT, InnoDB's persistent counter).
 */
export class FileIds1764576000000 implements MigrationInterface {
  name = 'FileIds1764576000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'file_ids',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'allocated_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    const [highest] = (await queryRunner.query('SELECT MAX(id) AS id FROM files')) as { id: number | string | null }[];
    if (highest?.id !== null && highest?.id !== undefined) {
      await queryRunner.query('INSERT INTO file_ids (id, allocated_at) VALUES (?, CURRENT_TIMESTAMP)', [Number(highest.id)]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('file_ids');
  }
}
