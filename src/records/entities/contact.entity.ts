import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ShareType } from './share-type.js';

@Entity({ name: 'contacts' })
export class Contact {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ name: 'is_company', type: 'boolean' })
  isCompany: boolean;

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 255, nullable: true })
  lastName: string | null;

  @Column({ name: 'company_name', type: 'varchar', length: 255, nullable: true })
  companyName: string | null;

  @Column({ name: 'share_type', type: 'smallint' })
  shareType: ShareType;

  @Column({ name: 'currency', type: 'varchar', length: 3, nullable: true })
  currencyAbbreviation: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
