import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** mysql2 returns BIGINT as a string; sizes stay far below 2^53, so a number is exact. */
const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** The metadata of a stored file; the bytes live in file storage under a key made from the id. */
@Entity({ name: 'files' })
export class CrmFile {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ name: 'folder_id', type: 'integer' })
  folderId: number;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType: string;

  @Column({ name: 'content_length', type: 'bigint', transformer: bigintAsNumber })
  contentLength: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  sha256: string | null;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_by', type: 'varchar', length: 36 })
  updatedBy: string;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
