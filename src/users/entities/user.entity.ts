import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person of one tenant; `Employee` on the wire. */
@Entity({ name: 'users' })
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ name: 'display_name', type: 'varchar', length: 255 })
  displayName: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  title: string | null;

  @Column({ name: 'avatar_small', type: 'varchar', length: 1024, nullable: true })
  avatarSmall: string | null;

  @Column({ name: 'profile_url', type: 'varchar', length: 1024, nullable: true })
  profileUrl: string | null;

  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin: boolean;
}
