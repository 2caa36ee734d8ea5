import { Column, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The columns opportunities and cases share: the two tables are alike, each class only names its
 * table. Private when its access list is not empty (see docs/contract.md, "Access rules").
 */
export abstract class EntityRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
