import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RecordType } from './record-type.js';

/**
 * One user on the access list of a contact, opportunity or case. A non-empty list makes an
 * opportunity or case private; a contact is private by its ShareType.
 */
@Entity({ name: 'access_list_entries' })
export class AccessListEntry {
  @PrimaryColumn({ name: 'record_type', type: 'varchar', length: 16 })
  recordType: RecordType;

  @PrimaryColumn({ name: 'record_id', type: 'integer' })
  recordId: number;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;
}
