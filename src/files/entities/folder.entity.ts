import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'folders' })
export class Folder {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ name: 'parent_id', type: 'integer', nullable: true })
  parentId: number | null;
}
