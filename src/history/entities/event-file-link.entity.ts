import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A file linked to a history event; the primary key makes a repeated link impossible. */
@Entity({ name: 'event_files' })
export class EventFileLink {
  @PrimaryColumn({ name: 'event_id', type: 'integer' })
  eventId: number;

  @PrimaryColumn({ name: 'file_id', type: 'integer' })
  fileId: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  /** The file's place in the event's `Files`, as the request listed them. */
  @Column({ type: 'integer' })
  position: number;
}
