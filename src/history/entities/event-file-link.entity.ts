import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RecordType } from '../../records/entities/record-type.js';

/** A file linked to a history event; the primary key makes a repeated link impossible. */
@Entity({ name: 'event_files' })
export class EventFileLink {
  @PrimaryColumn({ name: 'event_id', type: 'integer' })
  eventId: number;

  @PrimaryColumn({ name: 'file_id', type: 'integer' })
  fileId: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  /**
   * The event's record, copied onto the link when it is written (an event never changes
   * record), so that a record's files are read from this table's indexes alone.
   */
  @Column({ name: 'record_type', type: 'varchar', length: 16 })
  recordType: RecordType;

  @Column({ name: 'record_id', type: 'integer' })
  recordId: number;

  /** The file's place in the event's `Files`, as the request listed them. */
  @Column({ type: 'integer' })
  position: number;
}
