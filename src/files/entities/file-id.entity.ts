import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row per file id handed out. A file's content is written under a key made from its id
 * before its row exists, so ids are taken from here first (unique across tenants and never
 * reused) and the file row is then inserted with that id.
 */
@Entity({ name: 'file_ids' })
export class FileId {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'allocated_at', type: 'datetime', precision: 3 })
  allocatedAt: Date;
}
