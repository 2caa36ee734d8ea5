import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EntityRecordType } from '../../records/entities/record-type.js';

/**
 * A history event (`RelationshipEvent` on the wire). It is on exactly one record: either a
 * contact (`contactId`) or an opportunity/case (`entityType` + `entityId`).
 */
@Entity({ name: 'history_events' })
export class HistoryEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  /** A tenant category id, or a negative system category id; hence no foreign key. */
  @Column({ name: 'category_id', type: 'integer' })
  categoryId: number;

  @Column({ type: 'text' })
  content: string;

  @Column({ name: 'contact_id', type: 'integer', nullable: true })
  contactId: number | null;

  @Column({ name: 'entity_type', type: 'varchar', length: 16, nullable: true })
  entityType: EntityRecordType | null;

  @Column({ name: 'entity_id', type: 'integer', nullable: true })
  entityId: number | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
