import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The global currency reference table, shared by all tenants. */
@Entity({ name: 'currencies' })
export class Currency {
  @PrimaryColumn({ type: 'varchar', length: 3 })
  abbreviation: string;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'varchar', length: 16 })
  symbol: string;

  @Column({ name: 'culture_name', type: 'varchar', length: 16 })
  cultureName: string;

  @Column({ name: 'is_convertable', type: 'boolean' })
  isConvertable: boolean;

  @Column({ name: 'is_basic', type: 'boolean' })
  isBasic: boolean;
}
