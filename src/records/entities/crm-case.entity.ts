import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A CRM case ("case" is a reserved word in TypeScript, hence the prefix). */

@Entity({ name: 'cases' })
export class CrmCase {
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
