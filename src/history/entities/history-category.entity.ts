import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A tenant's own history category; the system categories (-1, -2, -3) are not stored. */
@Entity({ name: 'history_categories' })
export class HistoryCategory {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  color: string | null;

  @Column({ name: 'image_path', type: 'varchar', length: 1024, nullable: true })
  imagePath: string | null;

  @Column({ name: 'sort_order', type: 'integer', default: 0 })
  sortOrder: number;
}
