import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { ApiKey } from '../../src/auth/entities/api-key.entity.js';
import { CliModule } from '../../src/cli/cli.module.js';
import { runCli } from '../../src/cli/run-cli.js';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { MIGRATIONS } from '../../src/database/migrations.js';
import { CrmFile } from '../../src/files/entities/crm-file.entity.js';
import { Folder } from '../../src/files/entities/folder.entity.js';
import { EventFileLink } from '../../src/history/entities/event-file-link.entity.js';
import { HistoryCategory } from '../../src/history/entities/history-category.entity.js';
import { AccessListEntry } from '../../src/records/entities/access-list-entry.entity.js';
import { Contact } from '../../src/records/entities/contact.entity.js';
import { CrmCase } from '../../src/records/entities/crm-case.entity.js';
import { Opportunity } from '../../src/records/entities/opportunity.entity.js';
import type { RecordType } from '../../src/records/entities/record-type.js';
import { FILE_STORAGE, storageKeyForFile, type FileStorage } from '../../src/storage/file-storage.js';
import { Tenant } from '../../src/tenants/entities/tenant.entity.js';
import { User } from '../../src/users/entities/user.entity.js';
import { databaseKind, testDatabaseConfig } from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const API_KEY = /^[0-9A-F]{8}(?:-[0-9A-F]{8}){7}$/;
const NO_SUCH_ID = '2147483647';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The admin CLI of SPEC §8, run in-process on a database that persists between commands:
 * a temporary SQLite file per test file, or the run's MySQL/MariaDB database.
 */
describe('admin CLI', () => {
  let workDir: string;
  let config: AppConfig;
  /** The services and database the CLI uses, held open like a running server's. */
  let context: INestApplicationContext;
  let db: DataSource;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'crm-files-cli-'));
    config = {
      ...loadAppConfig({}),
      database: databaseKind() === 'mysql' ? testDatabaseConfig() : { kind: 'sqlite', path: join(workDir, 'cli.sqlite') },
      databaseIsDefault: false,
      demoSeed: false,
      filesDir: join(workDir, 'files'),
      rateLimitPerMinute: 0,
    };
  });

  afterAll(async () => {
    await context?.close();
    await rm(workDir, { recursive: true, force: true });
  });

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

  const newTenant = async () => (await ok<{ id: number; rootFolderId: number }>(['tenant', 'create', '--name', `CLI ${randomUUID()}`])).id;
  const newUser = async (tenant: number, ...extra: string[]) =>
    (await ok<{ id: string }>(['user', 'create', '--tenant', String(tenant), '--name', 'Some User', ...extra])).id;
  const accessListOf = async (recordType: RecordType, recordId: number) =>
    (await db.getRepository(AccessListEntry).find({ where: { recordType, recordId } })).map((entry) => entry.userId).sort();

  describe('migrate', () => {
    it('applies pending migrations, then has nothing left to do', async () => {
      const first = await ok<{ migrated: string[] }>(['migrate']);
      expect(Object.keys(first)).toEqual(['migrated']);
      const names = MIGRATIONS.map((migration) => new migration().name);
      if (databaseKind() === 'sqlite') expect(first.migrated).toEqual(names);
      else expect(names).toEqual(expect.arrayContaining(first.migrated));
      expect(await ok(['migrate'])).toStrictEqual({ migrated: [] });

      // Open the CLI's own services on the now-migrated database, for checking effects.
      context = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false });
      db = context.get<DataSource>(getDataSourceToken());
    });

    it('takes no options', async () => {
      await fails(['migrate', '--force'], /force/);
    });
  });

  describe('usage errors', () => {
    it.each([
      ['no command', [], /No command/],
      ['an unknown command', ['frobnicate'], /Unknown command: frobnicate/],
      ['half a command', ['tenant'], /Unknown command: tenant/],
      ['an unknown sub-command', ['tenant', 'delete', '--name', 'x'], /Unknown command: tenant delete/],
      ['a property of every object', ['toString'], /Unknown command: toString/],
      ['the constructor', ['constructor'], /Unknown command: constructor/],
      ['a prototype key', ['__proto__'], /Unknown command: __proto__/],
    ])('%s is an error with the usage', async (_name, argv, message) => {
      const run = await fails(argv, message);
      expect(run.stderr).toContain('Usage:');
    });
  });

  describe('help', () => {
    it.each([['--help'], ['-h'], ['help']])('%s prints the usage as one JSON object on stdout and exits 0', async (flag) => {
      const run = await cli([flag]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.endsWith('\n')).toBe(true);
      expect(run.stdout.slice(0, -1)).not.toContain('\n');
      const printed = JSON.parse(run.stdout) as { usage: string };
      expect(Object.keys(printed)).toEqual(['usage']);
      expect(printed.usage).toMatch(/^Usage: npm run cli -- <command>/);
      expect(printed.usage).toContain('seed --demo');
    });
  });

  describe('tenant create', () => {
    it('prints the new ids and creates the tenant with its root folder and default categories', async () => {
      const name = `Tenant ${randomUUID()}`;
      const created = await ok<{ id: number; rootFolderId: number }>(['tenant', 'create', '--name', name]);
      expect(Object.keys(created).sort()).toEqual(['id', 'rootFolderId']);
      expect(created.id).toBeTypeOf('number');
      expect(created.rootFolderId).toBeTypeOf('number');

      expect(await db.getRepository(Tenant).findOneBy({ id: created.id })).toMatchObject({ name, rootFolderId: created.rootFolderId });
      expect(await db.getRepository(Folder).findOneBy({ id: created.rootFolderId })).toMatchObject({ tenantId: created.id, parentId: null });
      const categories = await db.getRepository(HistoryCategory).find({ where: { tenantId: created.id }, order: { sortOrder: 'ASC' } });
      expect(categories.map((category) => category.title)).toEqual(['Note', 'Email', 'Call', 'Meeting']);
    });

    it('gives every tenant its own ids', async () => {
      const a = await ok<{ id: number; rootFolderId: number }>(['tenant', 'create', '--name', 'A']);
      const b = await ok<{ id: number; rootFolderId: number }>(['tenant', 'create', '--name', 'A']);
      expect(b.id).not.toBe(a.id);
      expect(b.rootFolderId).not.toBe(a.rootFolderId);
    });

    it.each([
      ['without --name', ['tenant', 'create'], /--name is required/],
      ['with an empty --name', ['tenant', 'create', '--name', '  '], /--name is required/],
      ['with an unknown option', ['tenant', 'create', '--name', 'x', '--color', 'red'], /color/],
    ])('fails %s', async (_name, argv, message) => {
      const before = await db.getRepository(Tenant).count();
      await fails(argv, message);
      expect(await db.getRepository(Tenant).count()).toBe(before);
    });
  });

  describe('user create', () => {
    it('creates a user, not an admin unless --admin', async () => {
      const tenant = await newTenant();
      const member = await ok<{ id: string }>(['user', 'create', '--tenant', String(tenant), '--name', 'Mark Member']);
      expect(Object.keys(member)).toEqual(['id']);
      expect(member.id).toMatch(UUID);
      expect(await db.getRepository(User).findOneBy({ id: member.id })).toMatchObject({
        tenantId: tenant,
        displayName: 'Mark Member',
        title: null,
        isAdmin: false,
      });

      const admin = await ok<{ id: string }>(['user', 'create', '--tenant', String(tenant), '--name', 'Alice Admin', '--title', 'CRM administrator', '--admin']);
      expect(admin.id).toMatch(UUID);
      expect(admin.id).not.toBe(member.id);
      expect(await db.getRepository(User).findOneBy({ id: admin.id })).toMatchObject({
        tenantId: tenant,
        displayName: 'Alice Admin',
        title: 'CRM administrator',
        isAdmin: true,
      });
    });

    it.each([
      ['for an unknown tenant', ['--tenant', NO_SUCH_ID, '--name', 'X'], /tenant/i],
      ['without --tenant', ['--name', 'X'], /--tenant is required/],
      ['with a tenant that is not an id', ['--tenant', 'abc', '--name', 'X'], /--tenant/],
      ['without --name', ['--tenant', '1'], /--name is required/],
      ['with --admin given a value', ['--tenant', '1', '--name', 'X', '--admin=yes'], /admin/],
    ])('fails %s', async (_name, args, message) => {
      const before = await db.getRepository(User).count();
      await fails(['user', 'create', ...args], message);
      expect(await db.getRepository(User).count()).toBe(before);
    });
  });

  describe('apikey create and revoke', () => {
    it('prints a key once, stores only its hash, and the key authenticates as its user', async () => {
      const tenant = await newTenant();
      const user = await newUser(tenant, '--admin');
      const created = await ok<{ id: number; apiKey: string }>(['apikey', 'create', '--user', user, '--label', 'laptop']);
      expect(Object.keys(created).sort()).toEqual(['apiKey', 'id']);
      expect(created.id).toBeTypeOf('number');
      expect(created.apiKey).toMatch(API_KEY);

      const row = await db.getRepository(ApiKey).findOneByOrFail({ id: created.id });
      expect(row).toMatchObject({ userId: user, label: 'laptop', revokedAt: null });
      expect(row.keyHash).toBe(createHash('sha256').update(created.apiKey).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(created.apiKey);

      const apiKeys = context.get(ApiKeysService);
      expect(await apiKeys.authenticate(created.apiKey)).toEqual({ apiKeyId: created.id, userId: user, tenantId: tenant, isAdmin: true });
      expect(await apiKeys.authenticate(`Bearer ${created.apiKey}`)).toMatchObject({ userId: user });
    });

    it('stores no label when none is given', async () => {
      const user = await newUser(await newTenant());
      const created = await ok<{ id: number; apiKey: string }>(['apikey', 'create', '--user', user]);
      expect(await db.getRepository(ApiKey).findOneByOrFail({ id: created.id })).toMatchObject({ label: null });
    });

    it('revokes a key, which stops authenticating at once in an already running process; revoking again is an error', async () => {
      const user = await newUser(await newTenant());
      const first = await ok<{ id: number; apiKey: string }>(['apikey', 'create', '--user', user]);
      const second = await ok<{ id: number; apiKey: string }>(['apikey', 'create', '--user', user]);
      const apiKeys = context.get(ApiKeysService);
      expect(await apiKeys.authenticate(first.apiKey)).not.toBeNull();

      expect(await ok(['apikey', 'revoke', '--id', String(first.id)])).toStrictEqual({ revoked: first.id });
      expect((await db.getRepository(ApiKey).findOneByOrFail({ id: first.id })).revokedAt).toBeInstanceOf(Date);
      expect(await apiKeys.authenticate(first.apiKey)).toBeNull();
      // The user's other key is untouched.
      expect(await apiKeys.authenticate(second.apiKey)).toMatchObject({ userId: user });

      await fails(['apikey', 'revoke', '--id', String(first.id)], new RegExp(`${first.id}`));
    });

    it.each([
      ['create for an unknown user', ['apikey', 'create', '--user', randomUUID()], /user/i],
      ['create for a user id that is not a uuid', ['apikey', 'create', '--user', 'alice'], /--user must be a user id/],
      ['create without --user', ['apikey', 'create'], /--user is required/],
      ['revoke of an unknown id', ['apikey', 'revoke', '--id', NO_SUCH_ID], new RegExp(NO_SUCH_ID)],
      ['revoke of an id that is not a number', ['apikey', 'revoke', '--id', 'first'], /--id must be a positive integer/],
      ['revoke of id 0', ['apikey', 'revoke', '--id', '0'], /--id must be a positive integer/],
      ['revoke without --id', ['apikey', 'revoke'], /--id is required/],
    ])('fails: %s', async (_name, argv, message) => {
      const before = await db.getRepository(ApiKey).count();
      await fails(argv, message);
      expect(await db.getRepository(ApiKey).count()).toBe(before);
    });
  });

  describe('contact create', () => {
    it('creates a person, ReadWrite by default, without currency or access list', async () => {
      const tenant = await newTenant();
      const created = await ok<{ id: number }>(['contact', 'create', '--tenant', String(tenant), '--person', '--first', 'Grace', '--last', 'Hopper']);
      expect(Object.keys(created)).toEqual(['id']);
      expect(created.id).toBeTypeOf('number');
      expect(await db.getRepository(Contact).findOneByOrFail({ id: created.id })).toMatchObject({
        tenantId: tenant,
        isCompany: false,
        firstName: 'Grace',
        lastName: 'Hopper',
        companyName: null,
        shareType: 1,
        currencyAbbreviation: null,
      });
      expect(await accessListOf('contact', created.id)).toEqual([]);
    });

    it('creates a company with a currency, given in any letter case', async () => {
      const tenant = await newTenant();
      const created = await ok<{ id: number }>(['contact', 'create', '--tenant', String(tenant), '--company', '--name', 'Acme', '--currency', 'eur']);
      expect(await db.getRepository(Contact).findOneByOrFail({ id: created.id })).toMatchObject({
        tenantId: tenant,
        isCompany: true,
        firstName: null,
        lastName: null,
        companyName: 'Acme',
        shareType: 1,
        currencyAbbreviation: 'EUR',
      });
    });

    it.each([
      ['none', 0],
      ['read', 2],
      ['readwrite', 1],
      ['READ', 2],
    ])('maps --share %s to ShareType %i', async (share, shareType) => {
      const tenant = await newTenant();
      const created = await ok<{ id: number }>(['contact', 'create', '--tenant', String(tenant), '--company', '--name', 'Acme', '--share', share]);
      expect(await db.getRepository(Contact).findOneByOrFail({ id: created.id })).toMatchObject({ shareType });
    });

    it('stores the access list, once per user', async () => {
      const tenant = await newTenant();
      const [a, b] = [await newUser(tenant), await newUser(tenant)];
      const created = await ok<{ id: number }>([
        'contact', 'create', '--tenant', String(tenant), '--person', '--first', 'Ada', '--last', 'Lovelace',
        '--share', 'none', '--access', `${a}, ${b.toUpperCase()},${a}`,
      ]);
      expect(await accessListOf('contact', created.id)).toEqual([a, b].sort());
      const entries = await db.getRepository(AccessListEntry).find({ where: { recordType: 'contact', recordId: created.id } });
      expect(entries.every((entry) => entry.tenantId === tenant)).toBe(true);
    });

    it.each([
      ['with both --person and --company', ['--person', '--first', 'A', '--last', 'B', '--company', '--name', 'C'], /exactly one of --person or --company/],
      ['with neither --person nor --company', ['--name', 'C'], /exactly one of --person or --company/],
      ['with a bad --share', ['--company', '--name', 'C', '--share', 'private'], /--share must be none, read or readwrite/],
      ['with --share naming an object property', ['--company', '--name', 'C', '--share', 'constructor'], /--share must be none, read or readwrite/],
      ['with an unknown --currency', ['--company', '--name', 'C', '--currency', 'XYZ'], /currency XYZ/i],
      ['for a person without --last', ['--person', '--first', 'A'], /--last is required/],
      ['for a company without --name', ['--company'], /--name is required/],
      ['with an --access entry that is not a uuid', ['--company', '--name', 'C', '--access', 'bob'], /--access must be a user id/],
      ['with an --access user that does not exist', ['--company', '--name', 'C', '--access', randomUUID()], /No user/],
    ])('fails %s', async (_name, args, message) => {
      const tenant = await newTenant();
      await fails(['contact', 'create', '--tenant', String(tenant), ...args], message);
      expect(await db.getRepository(Contact).countBy({ tenantId: tenant })).toBe(0);
    });

    it('fails for an unknown tenant', async () => {
      await fails(['contact', 'create', '--tenant', NO_SUCH_ID, '--company', '--name', 'C'], new RegExp(`tenant.*${NO_SUCH_ID}`, 'i'));
    });

    it('fails, writing nothing, with an --access user of another tenant', async () => {
      const tenant = await newTenant();
      const local = await newUser(tenant);
      const foreign = await newUser(await newTenant());
      await fails(['contact', 'create', '--tenant', String(tenant), '--company', '--name', 'C', '--share', 'none', '--access', `${local},${foreign}`], new RegExp(foreign));
      expect(await db.getRepository(Contact).countBy({ tenantId: tenant })).toBe(0);
      expect(await db.getRepository(AccessListEntry).countBy({ tenantId: tenant })).toBe(0);
    });
  });

  describe.each([
    ['opportunity', Opportunity],
    ['case', CrmCase],
  ] as const)('%s create', (type, entityClass) => {
    it('records the given creator and access list', async () => {
      const tenant = await newTenant();
      const [creator, a, b] = [await newUser(tenant), await newUser(tenant), await newUser(tenant)];
      const created = await ok<{ id: number }>([type, 'create', '--tenant', String(tenant), '--title', 'Big deal', '--creator', creator, '--access', `${a},${b}`]);
      expect(Object.keys(created)).toEqual(['id']);
      expect(created.id).toBeTypeOf('number');
      expect(await db.getRepository(entityClass).findOneByOrFail({ id: created.id })).toMatchObject({ tenantId: tenant, title: 'Big deal', createdBy: creator });
      expect(await accessListOf(type, created.id)).toEqual([a, b].sort());
    });

    it("is created by the tenant's admin without --creator, and is public without --access", async () => {
      const tenant = await newTenant();
      await newUser(tenant);
      const admin = await newUser(tenant, '--admin');
      const created = await ok<{ id: number }>([type, 'create', '--tenant', String(tenant), '--title', 'Open one']);
      expect(await db.getRepository(entityClass).findOneByOrFail({ id: created.id })).toMatchObject({ createdBy: admin });
      expect(await accessListOf(type, created.id)).toEqual([]);
    });

    it.each([
      ['without --title', ['--creator', '$user'], /--title is required/],
      ['without --creator in a tenant with no admin', ['--title', 'X'], /no admin/],
      ['with a creator of another tenant', ['--title', 'X', '--creator', '$foreign'], /No user/],
      ['with an --access user of another tenant', ['--title', 'X', '--creator', '$user', '--access', '$foreign'], /No user/],
      ['with a creator that is not a uuid', ['--title', 'X', '--creator', 'me'], /--creator must be a user id/],
    ])('fails %s, writing nothing', async (_name, args, message) => {
      const tenant = await newTenant();
      const user = await newUser(tenant);
      const foreign = await newUser(await newTenant());
      const resolved = args.map((arg) => (arg === '$user' ? user : arg === '$foreign' ? foreign : arg));
      await fails([type, 'create', '--tenant', String(tenant), ...resolved], message);
      expect(await db.getRepository(entityClass).countBy({ tenantId: tenant })).toBe(0);
      expect(await db.getRepository(AccessListEntry).countBy({ tenantId: tenant })).toBe(0);
    });

    it('fails for an unknown tenant', async () => {
      await fails([type, 'create', '--tenant', NO_SUCH_ID, '--title', 'X'], new RegExp(`tenant.*${NO_SUCH_ID}`, 'i'));
    });
  });

  describe('file add', () => {
    const readAll = async (stream: Readable) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };

    it("stores the file for the user, in the user's tenant root folder, named after the path's last part", async () => {
      const tenant = await ok<{ id: number; rootFolderId: number }>(['tenant', 'create', '--name', 'Files']);
      const user = await newUser(tenant.id);
      const folder = join(workDir, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      const content = Buffer.from('%PDF-1.4 not really a pdf\n');
      await writeFile(join(folder, 'Quarterly Report.PDF'), content);

      const created = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, 'Quarterly Report.PDF')]);
      expect(Object.keys(created)).toEqual(['id']);
      expect(created.id).toBeTypeOf('number');

      const file = await db.getRepository(CrmFile).findOneByOrFail({ id: created.id });
      expect(file).toMatchObject({
        tenantId: tenant.id,
        folderId: tenant.rootFolderId,
        name: 'Quarterly Report.PDF',
        contentType: 'application/pdf',
        contentLength: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        version: 1,
        createdBy: user,
        updatedBy: user,
      });
      expect(await db.getRepository(EventFileLink).countBy({ fileId: created.id })).toBe(0);

      const storage = context.get<FileStorage>(FILE_STORAGE);
      expect(await readAll(storage.read(storageKeyForFile(tenant.id, created.id)))).toEqual(content);
    });

    it.each([
      ['notes.txt', 'text/plain'],
      ['page.html', 'text/html'],
      ['photo.jpeg', 'image/jpeg'],
      ['data.bin', 'application/octet-stream'],
      ['README', 'application/octet-stream'],
    ])('takes the content type of %s from its extension: %s', async (name, contentType) => {
      const user = await newUser(await newTenant());
      const folder = join(workDir, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, name), 'x');
      const created = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, name)]);
      expect(await db.getRepository(CrmFile).findOneByOrFail({ id: created.id })).toMatchObject({ name, contentType });
    });

    it('stores an empty file, and one of exactly MAX_UPLOAD_BYTES', async () => {
      const user = await newUser(await newTenant());
      const folder = join(workDir, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'empty.txt'), '');
      await writeFile(join(folder, 'exact.txt'), 'x'.repeat(16));
      const empty = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, 'empty.txt')], { ...config, maxUploadBytes: 16 });
      const exact = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, 'exact.txt')], { ...config, maxUploadBytes: 16 });
      expect(await db.getRepository(CrmFile).findOneByOrFail({ id: empty.id })).toMatchObject({ contentLength: 0 });
      expect(await db.getRepository(CrmFile).findOneByOrFail({ id: exact.id })).toMatchObject({ contentLength: 16 });
    });

    it('fails over MAX_UPLOAD_BYTES, storing nothing', async () => {
      const user = await newUser(await newTenant());
      const path = join(workDir, `big-${randomUUID()}.txt`);
      await writeFile(path, 'x'.repeat(17));
      await fails(['file', 'add', '--user', user, path], /MAX_UPLOAD_BYTES/, { ...config, maxUploadBytes: 16 });
      expect(await db.getRepository(CrmFile).countBy({ createdBy: user })).toBe(0);
    });

    it.each([
      ['of a missing path', ['$user', '$missing'], /not a readable file/],
      ['of a folder', ['$user', '$folder'], /not a readable file/],
      ['without a path', ['$user'], /exactly one file path/],
      ['with two paths', ['$user', '$file', '$file'], /exactly one file path/],
      ['for an unknown user', ['$unknown', '$file'], /No user/],
    ])('fails %s, storing nothing', async (_name, args, message) => {
      const user = await newUser(await newTenant());
      const folder = join(workDir, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'a.txt'), 'a');
      const values: Record<string, string> = {
        $user: user,
        $unknown: randomUUID(),
        $missing: join(folder, 'nope.txt'),
        $folder: folder,
        $file: join(folder, 'a.txt'),
      };
      const [userArg, ...paths] = args.map((arg) => values[arg]);
      const before = await db.getRepository(CrmFile).count();
      await fails(['file', 'add', '--user', userArg, ...paths], message);
      expect(await db.getRepository(CrmFile).count()).toBe(before);
    });
  });

  describe('seed --demo', () => {
    interface DemoUsers {
      admin: { id: string; apiKey: string };
      member: { id: string; apiKey: string };
      outsider: { id: string; apiKey: string };
    }
    interface DemoTenant {
      id: number;
      name: string;
      rootFolderId: number;
      users: DemoUsers;
      contacts: { person: number; company: number; readOnlyCompany: number; privatePerson: number };
      opportunities: { public: number; private: number };
      cases: { public: number; private: number };
      files: { admin: number[]; member: number[]; outsider: number[] };
    }
    let seeded: { tenants: DemoTenant[] };

    beforeAll(async () => {
      seeded = await ok<{ tenants: DemoTenant[] }>(['seed', '--demo']);
    });

    it('prints two tenants in exactly the shape of SPEC §8', () => {
      expect(Object.keys(seeded)).toEqual(['tenants']);
      expect(seeded.tenants).toHaveLength(2);
      const id = expect.any(Number);
      const user = { id: expect.stringMatching(UUID), apiKey: expect.stringMatching(API_KEY) };
      for (const tenant of seeded.tenants) {
        expect(tenant).toStrictEqual({
          id,
          name: expect.any(String),
          rootFolderId: id,
          users: { admin: user, member: user, outsider: user },
          contacts: { person: id, company: id, readOnlyCompany: id, privatePerson: id },
          opportunities: { public: id, private: id },
          cases: { public: id, private: id },
          files: { admin: [id], member: [id, id, id], outsider: [id] },
        });
      }
    });

    it('creates two distinct tenants that share no user, key, record or file', () => {
      const [a, b] = seeded.tenants;
      expect(a.id).not.toBe(b.id);
      const both = <T>(pick: (tenant: DemoTenant) => T[]) => [...pick(a), ...pick(b)];
      // Integer ids are unique across tenants (SPEC §3), so each kind has no repeats at all.
      expect(new Set(both((tenant) => Object.values(tenant.users).map((user) => user.id))).size).toBe(6);
      expect(new Set(both((tenant) => Object.values(tenant.users).map((user) => user.apiKey))).size).toBe(6);
      expect(new Set(both((tenant) => Object.values(tenant.contacts))).size).toBe(8);
      expect(new Set(both((tenant) => Object.values(tenant.opportunities))).size).toBe(4);
      expect(new Set(both((tenant) => Object.values(tenant.cases))).size).toBe(4);
      expect(new Set(both((tenant) => Object.values(tenant.files).flat())).size).toBe(10);
    });

    it('creates the admin, member and outsider in each tenant; only the admin is an admin', async () => {
      for (const tenant of seeded.tenants) {
        const users = await db.getRepository(User).findBy({ id: In(Object.values(tenant.users).map((user) => user.id)) });
        expect(users).toHaveLength(3);
        expect(users.every((user) => user.tenantId === tenant.id)).toBe(true);
        const isAdmin = Object.fromEntries(users.map((user) => [user.id, user.isAdmin]));
        expect(isAdmin).toEqual({ [tenant.users.admin.id]: true, [tenant.users.member.id]: false, [tenant.users.outsider.id]: false });
        expect(await db.getRepository(Tenant).findOneByOrFail({ id: tenant.id })).toMatchObject({ name: tenant.name, rootFolderId: tenant.rootFolderId });
      }
    });

    it('prints API keys that authenticate as their users', async () => {
      const apiKeys = context.get(ApiKeysService);
      for (const tenant of seeded.tenants) {
        for (const role of ['admin', 'member', 'outsider'] as const) {
          expect(await apiKeys.authenticate(tenant.users[role].apiKey)).toMatchObject({
            userId: tenant.users[role].id,
            tenantId: tenant.id,
            isAdmin: role === 'admin',
          });
        }
      }
    });

    it('creates the four contacts as listed', async () => {
      for (const tenant of seeded.tenants) {
        const contact = (id: number) => db.getRepository(Contact).findOneByOrFail({ id });
        const { person, company, readOnlyCompany, privatePerson } = tenant.contacts;
        expect(await contact(person)).toMatchObject({ tenantId: tenant.id, isCompany: false, shareType: 1, currencyAbbreviation: 'USD' });
        expect(await contact(company)).toMatchObject({ tenantId: tenant.id, isCompany: true, shareType: 1, currencyAbbreviation: 'EUR' });
        expect(await contact(readOnlyCompany)).toMatchObject({ tenantId: tenant.id, isCompany: true, shareType: 2, currencyAbbreviation: null });
        expect(await contact(privatePerson)).toMatchObject({ tenantId: tenant.id, isCompany: false, shareType: 0, currencyAbbreviation: null });
        expect(await accessListOf('contact', person)).toEqual([]);
        expect(await accessListOf('contact', company)).toEqual([]);
        expect(await accessListOf('contact', readOnlyCompany)).toEqual([]);
        expect(await accessListOf('contact', privatePerson)).toEqual([tenant.users.member.id]);
      }
    });

    it('creates the opportunities and cases, all by the admin, the private ones for the member only', async () => {
      for (const tenant of seeded.tenants) {
        for (const [type, entityClass, records] of [
          ['opportunity', Opportunity, tenant.opportunities],
          ['case', CrmCase, tenant.cases],
        ] as const) {
          for (const id of [records.public, records.private]) {
            expect(await db.getRepository(entityClass).findOneByOrFail({ id })).toMatchObject({ tenantId: tenant.id, createdBy: tenant.users.admin.id });
          }
          expect(await accessListOf(type, records.public)).toEqual([]);
          expect(await accessListOf(type, records.private)).toEqual([tenant.users.member.id]);
        }
      }
    });

    it('creates small text files by the named users, in the root folder, linked to nothing', async () => {
      const storage = context.get<FileStorage>(FILE_STORAGE);
      for (const tenant of seeded.tenants) {
        for (const role of ['admin', 'member', 'outsider'] as const) {
          for (const id of tenant.files[role]) {
            const file = await db.getRepository(CrmFile).findOneByOrFail({ id });
            expect(file).toMatchObject({
              tenantId: tenant.id,
              folderId: tenant.rootFolderId,
              contentType: 'text/plain',
              createdBy: tenant.users[role].id,
              updatedBy: tenant.users[role].id,
              version: 1,
            });
            expect(file.name).toMatch(/\.txt$/);
            expect(file.contentLength).toBeGreaterThan(0);
            expect(file.contentLength).toBeLessThan(1024);
            const chunks: Buffer[] = [];
            for await (const chunk of storage.read(storageKeyForFile(tenant.id, id))) chunks.push(chunk as Buffer);
            expect(Buffer.concat(chunks).length).toBe(file.contentLength);
          }
        }
        const fileIds = Object.values(tenant.files).flat();
        expect(await db.getRepository(EventFileLink).countBy({ fileId: In(fileIds) })).toBe(0);
      }
    });

    it('creates two more tenants each time it runs', async () => {
      const again = await ok<{ tenants: DemoTenant[] }>(['seed', '--demo']);
      const before = seeded.tenants.map((tenant) => tenant.id);
      expect(again.tenants).toHaveLength(2);
      for (const tenant of again.tenants) expect(before).not.toContain(tenant.id);
    });

    it('fails without --demo', async () => {
      await fails(['seed'], /--demo/);
    });

    it('is not limited by MAX_UPLOAD_BYTES: its own files are seeded whole even with a 10-byte limit', async () => {
      const small = await ok<{ tenants: DemoTenant[] }>(['seed', '--demo'], { ...config, maxUploadBytes: 10 });
      expect(small.tenants).toHaveLength(2);
      for (const tenant of small.tenants) {
        const fileIds = Object.values(tenant.files).flat();
        expect(fileIds).toHaveLength(5);
        const files = await db.getRepository(CrmFile).findBy({ id: In(fileIds) });
        expect(files).toHaveLength(5);
        expect(files.every((file) => file.contentLength > 10)).toBe(true);
      }
    });
  });
});
