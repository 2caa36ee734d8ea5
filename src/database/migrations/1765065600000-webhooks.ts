import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions.js';

// The column helpers are copied from the initial schema on purpose, not shared: a migration must
// create the same tables forever, and a helper edited for a later migration would quietly change
// what this one creates on a fresh database.
const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const flag = (name: string): TableColumnOptions => ({ name, type: 'boolean', default: false });
const timestamp = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const cascade = (column: string, table: string) =>
  new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'CASCADE' });
const index = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique });

/**
 * Webhooks: the tenants' subscriptions, the outbox of events (written in the transaction of each
 * change), one delivery per event and subscription, and the log of delivery attempts.
 *
 * - `IDX_webhook_events_dispatched`: the worker's scan for events not yet fanned out, in id order.
 * - `IDX_webhook_deliveries_due`: pending deliveries whose next attempt is due.
 * - `IDX_webhook_deliveries_order`: "is an earlier delivery of the same record still pending"
 *   for one subscription, the check that keeps a record's events in commit order.
 * - `IDX_webhook_attempts_subscription`: a subscription's log, newest first.
 */
export class Webhooks1765065600000 implements MigrationInterface {
  name = 'Webhooks1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isMysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    await queryRunner.createTable(
      new Table({
        name: 'webhook_subscriptions',
        columns: [
          id,
          int('tenant_id'),
          text('url', 2048),
          text('event_types', 255, true),
          text('secret', 100),
          flag('enabled'),
          text('disabled_reason', 500, true),
          timestamp('created_at'),
          text('created_by', 36, true),
        ],
        indices: [index('IDX_webhook_subscriptions_tenant', ['tenant_id'])],
        foreignKeys: [cascade('tenant_id', 'tenants')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_events',
        columns: [
          id,
          text('public_id', 40),
          int('tenant_id'),
          text('type', 32),
          text('ordering_key', 64),
          // An attach of MAX_FILE_IDS files, each with its users, is more than MySQL's TEXT holds.
          { name: 'payload', type: isMysql ? 'mediumtext' : 'text' },
          timestamp('created_at'),
          flag('dispatched'),
        ],
        indices: [index('UQ_webhook_events_public_id', ['public_id'], true), index('IDX_webhook_events_dispatched', ['dispatched', 'id'])],
        foreignKeys: [cascade('tenant_id', 'tenants')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          id,
          int('subscription_id'),
          int('event_id'),
          text('ordering_key', 64),
          text('state', 16),
          int('attempts'),
          timestamp('next_attempt_at'),
          timestamp('lease_until', true),
          timestamp('created_at'),
        ],
        indices: [
          index('IDX_webhook_deliveries_due', ['state', 'next_attempt_at']),
          index('IDX_webhook_deliveries_order', ['subscription_id', 'ordering_key', 'state', 'id']),
          index('IDX_webhook_deliveries_event', ['event_id', 'subscription_id']),
        ],
        foreignKeys: [cascade('subscription_id', 'webhook_subscriptions'), cascade('event_id', 'webhook_events')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_attempts',
        columns: [
          id,
          int('delivery_id'),
          int('subscription_id'),
          int('event_id'),
          int('attempt'),
          int('status', true),
          flag('delivered'),
          text('error', 500, true),
          timestamp('at'),
          int('duration_ms'),
        ],
        indices: [index('IDX_webhook_attempts_subscription', ['subscription_id', 'at'])],
        foreignKeys: [cascade('delivery_id', 'webhook_deliveries')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_subscriptions']) {
      await queryRunner.dropTable(table);
    }
  }
}
