import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema.js';
import { FileIds1764576000000 } from './migrations/1764576000000-file-ids.js';

describe('the file_ids migration (SQLite)', () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [], migrations: [] });
    await dataSource.initialize();
    await new InitialSchema1764230400000().up(dataSource.createQueryRunner());
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  const allocate = async (): Promise<number> => {
    await dataSource.query('INSERT INTO file_ids (allocated_at) VALUES (CURRENT_TIMESTAMP)');
    const [row] = (await dataSource.query('SELECT last_insert_rowid() AS id')) as { id: number }[];
    return Number(row.id);
  };

  it('continues after the ids existing files use, and never hands an id out twice', async () => {
    // A file row from before the migration; the other tables' rows do not matter here.
    await dataSource.query('PRAGMA foreign_keys = OFF');
    await dataSource.query(
      `INSERT INTO files (id, tenant_id, folder_id, name, content_type, content_length, sha256, version, created_by, created_at, updated_by, updated_at)
       VALUES (4711, 1, 1, 'old.txt', 'text/plain', 3, NULL, 1, 'u', '2026-01-01 00:00:00.000', 'u', '2026-01-01 00:00:00.000')`,
    );

    await new FileIds1764576000000().up(dataSource.createQueryRunner());

    expect(await allocate()).toBe(4712);
    await dataSource.query('DELETE FROM file_ids WHERE id = 4712');
    expect(await allocate()).toBe(4713);
  });

  it('starts at 1 on a database without files', async () => {
    await new FileIds1764576000000().up(dataSource.createQueryRunner());
    expect(await allocate()).toBe(1);
  });
});
