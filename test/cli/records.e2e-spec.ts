import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessListEntry } from '../../src/records/entities/access-list-entry.entity.js';
import { Contact } from '../../src/records/entities/contact.entity.js';
import { CrmCase } from '../../src/records/entities/crm-case.entity.js';
import { Opportunity } from '../../src/records/entities/opportunity.entity.js';
import { useCli } from '../support/cli-harness.js';
import { NO_SUCH_ID } from '../support/constants.js';

/** The admin CLI run in-process: creating contacts, opportunities and cases with their access lists. */
describe('admin CLI: contacts, opportunities and cases', () => {
  const { db, ok, fails, newTenant, newUser, accessListOf } = useCli({ migrated: true });

  describe('contact create', () => {
    it('creates a person, ReadWrite by default, without currency or access list', async () => {
      const tenant = await newTenant();
      const created = await ok<{ id: number }>([
        'contact',
        'create',
        '--tenant',
        String(tenant),
        '--person',
        '--first',
        'Grace',
        '--last',
        'Hopper',
      ]);
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
      const created = await ok<{ id: number }>([
        'contact',
        'create',
        '--tenant',
        String(tenant),
        '--company',
        '--name',
        'Acme',
        '--currency',
        'eur',
      ]);
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
      const created = await ok<{ id: number }>([
        'contact',
        'create',
        '--tenant',
        String(tenant),
        '--company',
        '--name',
        'Acme',
        '--share',
        share,
      ]);
      expect(await db.getRepository(Contact).findOneByOrFail({ id: created.id })).toMatchObject({ shareType });
    });

    it('stores the access list, once per user', async () => {
      const tenant = await newTenant();
      const [a, b] = [await newUser(tenant), await newUser(tenant)];
      const created = await ok<{ id: number }>([
        'contact',
        'create',
        '--tenant',
        String(tenant),
        '--person',
        '--first',
        'Ada',
        '--last',
        'Lovelace',
        '--share',
        'none',
        '--access',
        `${a}, ${b.toUpperCase()},${a}`,
      ]);
      expect(await accessListOf('contact', created.id)).toEqual([a, b].sort());
      const entries = await db.getRepository(AccessListEntry).find({ where: { recordType: 'contact', recordId: created.id } });
      expect(entries.every((entry) => entry.tenantId === tenant)).toBe(true);
    });

    it.each([
      [
        'with both --person and --company',
        ['--person', '--first', 'A', '--last', 'B', '--company', '--name', 'C'],
        /exactly one of --person or --company/,
      ],
      ['with neither --person nor --company', ['--name', 'C'], /exactly one of --person or --company/],
      ['with a bad --share', ['--company', '--name', 'C', '--share', 'private'], /--share must be none, read or readwrite/],
      [
        'with --share naming an object property',
        ['--company', '--name', 'C', '--share', 'constructor'],
        /--share must be none, read or readwrite/,
      ],
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
      await fails(
        ['contact', 'create', '--tenant', String(NO_SUCH_ID), '--company', '--name', 'C'],
        new RegExp(`tenant.*${String(NO_SUCH_ID)}`, 'i'),
      );
    });

    it('fails, writing nothing, with an --access user of another tenant', async () => {
      const tenant = await newTenant();
      const local = await newUser(tenant);
      const foreign = await newUser(await newTenant());
      await fails(
        ['contact', 'create', '--tenant', String(tenant), '--company', '--name', 'C', '--share', 'none', '--access', `${local},${foreign}`],
        new RegExp(foreign),
      );
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
      const created = await ok<{ id: number }>([
        type,
        'create',
        '--tenant',
        String(tenant),
        '--title',
        'Big deal',
        '--creator',
        creator,
        '--access',
        `${a},${b}`,
      ]);
      expect(Object.keys(created)).toEqual(['id']);
      expect(created.id).toBeTypeOf('number');
      expect(await db.getRepository(entityClass).findOneByOrFail({ id: created.id })).toMatchObject({
        tenantId: tenant,
        title: 'Big deal',
        createdBy: creator,
      });
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
      await fails([type, 'create', '--tenant', String(NO_SUCH_ID), '--title', 'X'], new RegExp(`tenant.*${String(NO_SUCH_ID)}`, 'i'));
    });
  });
});
