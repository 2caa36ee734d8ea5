import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A link names its event's record too (`record_type` + `record_id`, as access list entries do),
 * so that the page of a record's files reads one index in order instead of grouping every link
 * of the record: its cost follows the page, not the history (docs/performance.md).
 *
 * - `IDX_event_files_record_newest` (record, event_id, file_id): the links of a record, newest
 *   first, read backwards until the page is full.
 * - `IDX_event_files_record_file` (record, file_id, event_id): "is there a newer link of this
 *   file on this record" (one probe per link read), and the count of distinct files, from the
 *   index alone.
 */
export class EventFilesRecord1764590400000 implements MigrationInterface {
  name = 'EventFilesRecord1764590400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('event_files', [
      new TableColumn({ name: 'record_type', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'record_id', type: 'integer', isNullable: true }),
    ]);
    // Plain SQL that both databases run: every existing link takes its event's record.
    await queryRunner.query(
      `UPDATE event_files SET
         record_type = (SELECT CASE WHEN e.contact_id IS NOT NULL THEN 'contact' ELSE e.entity_type END FROM history_events e WHERE e.id = event_files.event_id),
         record_id = (SELECT COALESCE(e.contact_id, e.entity_id) FROM history_events e WHERE e.id = event_files.event_id)`,
    );
    await queryRunner.changeColumns('event_files', [
      {
        oldColumn: new TableColumn({ name: 'record_type', type: 'varchar', length: '16', isNullable: true }),
        newColumn: new TableColumn({ name: 'record_type', type: 'varchar', length: '16', isNullable: false }),
      },
      {
        oldColumn: new TableColumn({ name: 'record_id', type: 'integer', isNullable: true }),
        newColumn: new TableColumn({ name: 'record_id', type: 'integer', isNullable: false }),
      },
    ]);
    await queryRunner.createIndices('event_files', [
      new TableIndex({ name: 'IDX_event_files_record_newest', columnNames: ['record_type', 'record_id', 'event_id', 'file_id'] }),
      new TableIndex({ name: 'IDX_event_files_record_file', columnNames: ['record_type', 'record_id', 'file_id', 'event_id'] }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('event_files', 'IDX_event_files_record_file');
    await queryRunner.dropIndex('event_files', 'IDX_event_files_record_newest');
    await queryRunner.dropColumns('event_files', ['record_id', 'record_type']);
  }
}
