import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { ApiKey } from '../../src/auth/entities/api-key.entity.js';
import { MIGRATIONS } from '../../src/database/migrations.js';
import { Folder } from '../../src/files/entities/folder.entity.js';
import { HistoryCategory } from '../../src/history/entities/history-category.entity.js';
import { Tenant } from '../../src/tenants/entities/tenant.entity.js';
import { User } from '../../src/users/entities/user.entity.js';
import { API_KEY, UUID, useCli } from '../support/cli-harness.js';
import { NO_SUCH_ID } from '../support/constants.js';
import { databaseKind } from '../support/test-app.js';

/** The admin CLI run in-process: migrations, usage, tenants, users and API keys. */
describe('admin CLI: migrate, help, tenants, users and API keys', () => {
  const { context, db, cli, ok, fails, openContext, newTenant, newUser } = useCli({ migrated: false });

  describe('migrate', () => {
    it('applies pending migrations, then has nothing left to do', async () => {
      const first = await ok<{ migrated: string[] }>(['migrate']);
      expect(Object.keys(first)).toEqual(['migrated']);
      const names = MIGRATIONS.map((migration) => new migration().name);
      if (databaseKind() === 'sqlite') expect(first.migrated).toEqual(names);
      else expect(names).toEqual(expect.arrayContaining(first.migrated));
      expect(await ok(['migrate'])).toStrictEqual({ migrated: [] });

      // Open the CLI's own services on the now-migrated database, for checking effects.
      await openContext();
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
      expect(await db.getRepository(Folder).findOneBy({ id: created.rootFolderId })).toMatchObject({
        tenantId: created.id,
        parentId: null,
      });
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

      const admin = await ok<{ id: string }>([
        'user',
        'create',
        '--tenant',
        String(tenant),
        '--name',
        'Alice Admin',
        '--title',
        'CRM administrator',
        '--admin',
      ]);
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
      ['for an unknown tenant', ['--tenant', String(NO_SUCH_ID), '--name', 'X'], /tenant/i],
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
      expect(await apiKeys.authenticate(created.apiKey)).toEqual({
        apiKeyId: created.id,
        userId: user,
        tenantId: tenant,
        isAdmin: true,
        employee: { Id: user, DisplayName: expect.any(String), Title: null, AvatarSmall: null, ProfileUrl: null },
      });
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
      ['revoke of an unknown id', ['apikey', 'revoke', '--id', String(NO_SUCH_ID)], new RegExp(String(NO_SUCH_ID))],
      ['revoke of an id that is not a number', ['apikey', 'revoke', '--id', 'first'], /--id must be a positive integer/],
      ['revoke of id 0', ['apikey', 'revoke', '--id', '0'], /--id must be a positive integer/],
      ['revoke without --id', ['apikey', 'revoke'], /--id is required/],
    ])('fails: %s', async (_name, argv, message) => {
      const before = await db.getRepository(ApiKey).count();
      await fails(argv, message);
      expect(await db.getRepository(ApiKey).count()).toBe(before);
    });
  });
});
