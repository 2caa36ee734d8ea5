import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { parseDatabaseUrl } from '../../src/config/database-url.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mysqlDatabaseUrl: string;
  }
}

/**
 * One fresh database per test run, migrated once and dropped at the end. Test files share it
 * safely because every test builds its own tenants, and nothing crosses tenants.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TEST_MYSQL_URL!;
  const server = parseDatabaseUrl(serverUrl, 'TEST_MYSQL_URL');
  if (server.kind !== 'mysql') throw new Error('TEST_MYSQL_URL must be a mysql:// URL');
  const name = `crm_files_test_${process.pid}_${randomBytes(4).toString('hex')}`;

  const admin = new DataSource({ ...dataSourceOptions(server), entities: [], migrations: [] });
  await admin.initialize();
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const testDatabase = new DataSource(dataSourceOptions(parseDatabaseUrl(url.toString(), 'TEST_MYSQL_URL')));
  await testDatabase.initialize();
  await testDatabase.runMigrations({ transaction: 'each' });
  await testDatabase.destroy();
  project.provide('mysqlDatabaseUrl', url.toString());

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.destroy();
  };
}
