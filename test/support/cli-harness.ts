import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect } from 'vitest';
import { CliModule } from '../../src/cli/cli.module.js';
import { runCli } from '../../src/cli/run-cli.js';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { AccessListEntry } from '../../src/records/entities/access-list-entry.entity.js';
import type { RecordType } from '../../src/records/entities/record-type.js';
import { databaseKind, testDatabaseConfig } from './test-app.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An object whose every property is read from `target()` when used, for values made in `beforeAll`. */
function late<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get: (_, property) => {
      const value = Reflect.get(target(), property);
      return typeof value === 'function' ? value.bind(target()) : value;
    },
  });
}

/**
 * The admin CLI, run in-process on a database that persists between commands: a temporary
 * SQLite file per test file, or the run's MySQL/MariaDB database. With `migrated`, the database
 * is migrated and the CLI's services opened before the tests; without, a test does both
 * (`migrate`, then `openContext()`).
 */
export function useCli(options: { migrated: boolean }) {
  const dirs = { work: '' };
  const config = {} as AppConfig;
  const state: { context?: INestApplicationContext; db?: DataSource } = {};
  /** The services and database the CLI uses, held open like a running server's. */
  const context = late(() => state.context!);
  const db = late(() => state.db!);

  async function cli(argv: string[], runConfig: AppConfig = config): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, runConfig, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { code, stdout, stderr };
  }

  /** Runs a command that must succeed: exit 0 and exactly one line of JSON on stdout. */
  async function ok<T = Record<string, unknown>>(argv: string[], runConfig?: AppConfig): Promise<T> {
    const run = await cli(argv, runConfig);
    expect(run.code, `${argv.join(' ')} failed: ${run.stderr}`).toBe(0);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.slice(0, -1)).not.toContain('\n');
    return JSON.parse(run.stdout) as T;
  }

  /** Runs a command that must fail: non-zero exit, a message on stderr, nothing on stdout. */
  async function fails(argv: string[], message: RegExp, runConfig?: AppConfig): Promise<CliRun> {
    const run = await cli(argv, runConfig);
    expect(run.code, `${argv.join(' ')} should have failed`).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    return run;
  }

  /** Opens the CLI's own services on the migrated database, for checking effects. */
  async function openContext() {
    state.context = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false });
    state.db = state.context.get<DataSource>(getDataSourceToken());
  }

  beforeAll(async () => {
    dirs.work = await mkdtemp(join(tmpdir(), 'crm-files-cli-'));
    Object.assign(config, {
      ...loadAppConfig({}),
      database: databaseKind() === 'mysql' ? testDatabaseConfig() : { kind: 'sqlite', path: join(dirs.work, 'cli.sqlite') },
      databaseIsDefault: false,
      demoSeed: false,
      filesDir: join(dirs.work, 'files'),
      rateLimitPerMinute: 0,
    });
    if (options.migrated) {
      await ok(['migrate']);
      await openContext();
    }
  });

  afterAll(async () => {
    await state.context?.close();
    await rm(dirs.work, { recursive: true, force: true });
  });

  const newTenant = async () => (await ok<{ id: number; rootFolderId: number }>(['tenant', 'create', '--name', `CLI ${randomUUID()}`])).id;
  const newUser = async (tenant: number, ...extra: string[]) =>
    (await ok<{ id: string }>(['user', 'create', '--tenant', String(tenant), '--name', 'Some User', ...extra])).id;
  const accessListOf = async (recordType: RecordType, recordId: number) =>
    (await db.getRepository(AccessListEntry).find({ where: { recordType, recordId } })).map((entry) => entry.userId).sort();

  return { dirs, config, context, db, cli, ok, fails, openContext, newTenant, newUser, accessListOf };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const API_KEY = /^[0-9A-F]{8}(?:-[0-9A-F]{8}){7}$/;
