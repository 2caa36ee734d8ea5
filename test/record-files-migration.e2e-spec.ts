import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/database-url.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { InitialSchema1764230400000 } from '../src/database/migrations/1764230400000-initial-schema.js';
import { EventFilesRecord1764590400000 } from '../src/database/migrations/1764590400000-event-files-record.js';

/**
 * The migration that gives each link its event's record, on a database that already holds
 * links (the others start empty): every link takes its event's record, the columns are then
 * required, and down() restores the previous table. A scratch database of its own: a temporary
 * file on SQLite, on MySQL/MariaDB one made and dropped here.
 */
const onMysql = process.env.TEST_DB === 'mysql';
const initial = InitialSchema1764230400000;
const recordFiles = EventFilesRecord1764590400000;

describe("the migration giving each link its event's record", () => {
  let db: DataSource;
  let admin: DataSource | null = null;
  let scratch = '';
  const directory = mkdtempSync(join(tmpdir(), 'crm-files-migration-'));

  beforeAll(async () => {
    let url = `sqlite:${join(directory, 'migration.sqlite')}`;
    if (onMysql) {
      const server = parseDatabaseUrl(process.env.TEST_MYSQL_URL!, 'TEST_MYSQL_URL');
      admin = new DataSource({ ...dataSourceOptions(server), entities: [], migrations: [] });
      await admin.initialize();
      scratch = `crm_files_migration_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE \`${scratch}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      const scratchUrl = new URL(process.env.TEST_MYSQL_URL!);
      scratchUrl.pathname = `/${scratch}`;
      url = scratchUrl.toString();
    }
    db = new DataSource({ ...dataSourceOptions(parseDatabaseUrl(url, 'TEST_MYSQL_URL')), migrations: [initial] });
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });

    const at = '2026-01-01 00:00:00.000';
    const user = 'a1111111-1111-4111-8111-11111111111a';
    await db.query(`INSERT INTO tenants (id, name, created_at) VALUES (1, 't', ?)`, [at]);
    await db.query(`INSERT INTO users (id, tenant_id, display_name, is_admin) VALUES (?, 1, 'u', 0)`, [user]);
    await db.query(`INSERT INTO folders (id, tenant_id, title) VALUES (1, 1, 'root')`);
    for (const id of [1, 2]) {
      await db.query(
        `INSERT INTO files (id, tenant_id, folder_id, name, content_type, content_length, created_by, created_at, updated_by, updated_at)
         VALUES (?, 1, 1, 'f', 'text/plain', 1, ?, ?, ?, ?)`,
        [id, user, at, user, at],
      );
    }
    await db.query(`INSERT INTO contacts (id, tenant_id, is_company, share_type, created_at) VALUES (7, 1, 0, 2, ?)`, [at]);
    await db.query(`INSERT INTO opportunities (id, tenant_id, title, created_by, created_at) VALUES (9, 1, 'o', ?, ?)`, [user, at]);
    const event = `INSERT INTO history_events (id, tenant_id, category_id, content, contact_id, entity_type, entity_id, created_by, created_at)
      VALUES (?, 1, -2, 'Files are uploaded', ?, ?, ?, ?, ?)`;
    await db.query(event, [1, 7, null, null, user, at]);
    await db.query(event, [2, null, 'opportunity', 9, user, at]);
    await db.query(`INSERT INTO event_files (event_id, file_id, tenant_id, position) VALUES (1, 1, 1, 0), (1, 2, 1, 1), (2, 1, 1, 0)`);

    await db.destroy();
    db = new DataSource({ ...dataSourceOptions(parseDatabaseUrl(url, 'TEST_MYSQL_URL')), migrations: [initial, recordFiles] });
    await db.initialize();
    expect((await db.runMigrations({ transaction: 'each' })).map((migration) => migration.name)).toEqual([new recordFiles().name]);
  });

  afterAll(async () => {
    if (db?.isInitialized) await db.destroy();
    rmSync(directory, { recursive: true, force: true });
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS \`${scratch}\``);
      await admin.destroy();
    }
  });

  it("gives every existing link its event's record: a contact by contact_id, an opportunity or case by entity_type and entity_id", async () => {
    const rows: { event_id: number; file_id: number; record_type: string; record_id: number }[] = await db.query(
      'SELECT event_id, file_id, record_type, record_id FROM event_files ORDER BY event_id, file_id',
    );
    expect(rows.map((row) => [Number(row.event_id), Number(row.file_id), row.record_type, Number(row.record_id)])).toEqual([
      [1, 1, 'contact', 7],
      [1, 2, 'contact', 7],
      [2, 1, 'opportunity', 9],
    ]);
  });

  it("indexes the links by record, keeping the table's other index and foreign keys", async () => {
    const runner = db.createQueryRunner();
    const table = await runner.getTable('event_files');
    await runner.release();
    expect(table?.indices.map((index) => index.name).sort()).toEqual(
      expect.arrayContaining(['IDX_event_files_file', 'IDX_event_files_record_file', 'IDX_event_files_record_newest']),
    );
    expect(table?.foreignKeys.map((key) => key.referencedTableName).sort()).toEqual(['files', 'history_events', 'tenants']);
  });

  it('then requires the record on every new link', async () => {
    await expect(db.query(`INSERT INTO event_files (event_id, file_id, tenant_id, position) VALUES (2, 2, 1, 1)`)).rejects.toThrow();
    expect(Number((await db.query('SELECT COUNT(*) AS n FROM event_files WHERE event_id = 2'))[0].n)).toBe(1);
  });

  it('can be undone, the links kept', async () => {
    await db.undoLastMigration({ transaction: 'each' });
    const rows: Record<string, unknown>[] = await db.query('SELECT * FROM event_files ORDER BY event_id, file_id');
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]).sort()).toEqual(['event_id', 'file_id', 'position', 'tenant_id']);
  });
});
