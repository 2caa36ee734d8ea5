import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions.js';

const id = (name = 'id'): TableColumnOptions => ({
  name,
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable });
const uuid = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const flag = (name: string): TableColumnOptions => ({ name, type: 'boolean', default: false });
const timestamp = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const fk = (columnNames: string[], referencedTableName: string, referencedColumnNames: string[], onDelete = 'RESTRICT') =>
  new TableForeignKey({ columnNames, referencedTableName, referencedColumnNames, onDelete });
const index = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique });

/** Common currencies, as ONLYOFFICE CRM ships them: [abbreviation, title, symbol, culture, basic]. */
const CURRENCIES: ReadonlyArray<[string, string, string, string, boolean]> = [
  ['USD', 'US Dollar', '$', 'en-US', true],
  ['EUR', 'Euro', '€', 'fr-FR', true],
  ['GBP', 'Pound Sterling', '£', 'en-GB', true],
  ['JPY', 'Japanese Yen', '¥', 'ja-JP', true],
  ['CHF', 'Swiss Franc', 'Fr', 'de-CH', true],
  ['CNY', 'Chinese Yuan', '¥', 'zh-CN', true],
  ['RUB', 'Russian Ruble', '₽', 'ru-RU', true],
  ['CAD', 'Canadian Dollar', '$', 'en-CA', false],
  ['AUD', 'Australian Dollar', '$', 'en-AU', false],
  ['INR', 'Indian Rupee', '₹', 'hi-IN', false],
  ['BRL', 'Brazilian Real', 'R$', 'pt-BR', false],
  ['SEK', 'Swedish Krona', 'kr', 'sv-SE', false],
  ['NOK', 'Norwegian Krone', 'kr', 'nb-NO', false],
  ['DKK', 'Danish Krone', 'kr', 'da-DK', false],
  ['PLN', 'Polish Zloty', 'zł', 'pl-PL', false],
  ['CZK', 'Czech Koruna', 'Kč', 'cs-CZ', false],
];

/**
 * The whole data model. Written with TypeORM's schema builder so that one migration serves
 * SQLite and MySQL/MariaDB alike; the indexes follow the queries of the whole API (access
 * checks, the files of a record, the history filter), not only attaching.
 */
export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isMysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    // Event content may be 65,000 characters of up to 4 bytes each: more than MySQL's TEXT.
    const longText = isMysql ? 'mediumtext' : 'text';

    await queryRunner.createTable(
      new Table({ name: 'tenants', columns: [id(), text('name', 255), int('root_folder_id', true), timestamp('created_at')] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'currencies',
        columns: [
          { ...text('abbreviation', 3), isPrimary: true },
          text('title', 255),
          text('symbol', 16),
          text('culture_name', 16),
          flag('is_convertable'),
          flag('is_basic'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { ...uuid('id'), isPrimary: true },
          int('tenant_id'),
          text('display_name', 255),
          text('title', 255, true),
          text('avatar_small', 1024, true),
          text('profile_url', 1024, true),
          flag('is_admin'),
        ],
        foreignKeys: [fk(['tenant_id'], 'tenants', ['id'])],
        indices: [index('IDX_users_tenant', ['tenant_id', 'display_name'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          id(),
          uuid('user_id'),
          text('label', 255, true),
          text('key_hash', 64),
          timestamp('created_at'),
          timestamp('revoked_at', true),
        ],
        foreignKeys: [fk(['user_id'], 'users', ['id'], 'CASCADE')],
        indices: [index('UQ_api_keys_key_hash', ['key_hash'], true), index('IDX_api_keys_user', ['user_id'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'folders',
        columns: [id(), int('tenant_id'), text('title', 255), int('parent_id', true)],
        foreignKeys: [fk(['tenant_id'], 'tenants', ['id']), fk(['parent_id'], 'folders', ['id'])],
        indices: [index('IDX_folders_tenant', ['tenant_id'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'contacts',
        columns: [
          id(),
          int('tenant_id'),
          flag('is_company'),
          text('first_name', 255, true),
          text('last_name', 255, true),
          text('company_name', 255, true),
          { name: 'share_type', type: 'smallint' },
          text('currency', 3, true),
          timestamp('created_at'),
        ],
        foreignKeys: [fk(['tenant_id'], 'tenants', ['id']), fk(['currency'], 'currencies', ['abbreviation'])],
        indices: [index('IDX_contacts_tenant', ['tenant_id'])],
      }),
    );

    for (const name of ['opportunities', 'cases']) {
      await queryRunner.createTable(
        new Table({
          name,
          columns: [id(), int('tenant_id'), text('title', 255), uuid('created_by'), timestamp('created_at')],
          foreignKeys: [fk(['tenant_id'], 'tenants', ['id']), fk(['created_by'], 'users', ['id'])],
          indices: [index(`IDX_${name}_tenant`, ['tenant_id'])],
        }),
      );
    }

    await queryRunner.createTable(
      new Table({
        name: 'access_list_entries',
        columns: [
          { ...text('record_type', 16), isPrimary: true },
          { ...int('record_id'), isPrimary: true },
          { ...uuid('user_id'), isPrimary: true },
          int('tenant_id'),
        ],
        foreignKeys: [fk(['user_id'], 'users', ['id'], 'CASCADE'), fk(['tenant_id'], 'tenants', ['id'])],
        // The primary key answers "is this user on that record's list"; this answers "which lists is the user on".
        indices: [index('IDX_access_list_entries_user', ['user_id', 'record_type', 'record_id'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'files',
        columns: [
          id(),
          int('tenant_id'),
          int('folder_id'),
          text('name', 255),
          text('content_type', 255),
          { name: 'content_length', type: 'bigint' },
          text('sha256', 64, true),
          { name: 'version', type: 'integer', default: 1 },
          uuid('created_by'),
          timestamp('created_at'),
          uuid('updated_by'),
          timestamp('updated_at'),
        ],
        foreignKeys: [
          fk(['tenant_id'], 'tenants', ['id']),
          fk(['folder_id'], 'folders', ['id']),
          fk(['created_by'], 'users', ['id']),
          fk(['updated_by'], 'users', ['id']),
        ],
        indices: [index('IDX_files_tenant', ['tenant_id', 'id']), index('IDX_files_folder', ['folder_id'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'history_categories',
        columns: [
          id(),
          int('tenant_id'),
          text('title', 255),
          text('description', 1024, true),
          text('color', 32, true),
          text('image_path', 1024, true),
          { name: 'sort_order', type: 'integer', default: 0 },
        ],
        foreignKeys: [fk(['tenant_id'], 'tenants', ['id'])],
        indices: [index('IDX_history_categories_tenant', ['tenant_id', 'sort_order', 'id'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'history_events',
        columns: [
          id(),
          int('tenant_id'),
          int('category_id'),
          { name: 'content', type: longText },
          int('contact_id', true),
          text('entity_type', 16, true),
          int('entity_id', true),
          uuid('created_by'),
          timestamp('created_at'),
        ],
        foreignKeys: [
          fk(['tenant_id'], 'tenants', ['id']),
          fk(['contact_id'], 'contacts', ['id'], 'CASCADE'),
          fk(['created_by'], 'users', ['id']),
        ],
        indices: [
          // The history filter: newest first within a tenant, or within one record.
          index('IDX_history_events_tenant_created', ['tenant_id', 'created_at', 'id']),
          index('IDX_history_events_contact', ['contact_id', 'created_at']),
          index('IDX_history_events_entity', ['entity_type', 'entity_id', 'created_at']),
          index('IDX_history_events_creator', ['tenant_id', 'created_by']),
          index('IDX_history_events_category', ['tenant_id', 'category_id']),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'event_files',
        columns: [{ ...int('event_id'), isPrimary: true }, { ...int('file_id'), isPrimary: true }, int('tenant_id'), int('position')],
        foreignKeys: [
          fk(['event_id'], 'history_events', ['id'], 'CASCADE'),
          fk(['file_id'], 'files', ['id'], 'CASCADE'),
          fk(['tenant_id'], 'tenants', ['id']),
        ],
        // "Which events link this file": file access checks, deletions, and the newest link of a file.
        indices: [index('IDX_event_files_file', ['file_id', 'event_id'])],
      }),
    );

    // Plain SQL rather than the entity: a migration must not change when the entity does later.
    await queryRunner.query(
      `INSERT INTO currencies (abbreviation, title, symbol, culture_name, is_convertable, is_basic) VALUES ${CURRENCIES.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      CURRENCIES.flatMap(([abbreviation, title, symbol, cultureName, isBasic]) => [
        abbreviation,
        title,
        symbol,
        cultureName,
        1,
        isBasic ? 1 : 0,
      ]),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'event_files',
      'history_events',
      'history_categories',
      'files',
      'access_list_entries',
      'cases',
      'opportunities',
      'contacts',
      'folders',
      'api_keys',
      'users',
      'currencies',
      'tenants',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
