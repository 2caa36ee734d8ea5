import { describe, expect, it } from 'vitest';
import { WebhookSubscription } from '../../src/webhooks/entities/webhook-subscription.entity.js';
import { useCli } from '../support/cli-harness.js';
import { ISO_UTC, NO_SUCH_ID } from '../support/constants.js';
import { ALL_EVENT_TYPES, WEBHOOK_SECRET, type WebhookBody } from '../support/webhook-shapes.js';

/** The admin CLI run in-process: a tenant's webhooks, managed as its admins do through the API. */
describe('admin CLI: webhooks', () => {
  const { db, ok, fails, newTenant } = useCli({ migrated: true });
  const subscriptions = () => db.getRepository(WebhookSubscription);
  // One tenant's rows only: the MySQL project shares the database between test files.
  const rowsOf = (tenantId: number) => subscriptions().find({ where: { tenantId }, order: { id: 'ASC' } });

  const create = (tenant: number, url = 'https://hooks.example.com/crm', ...extra: string[]) =>
    ok<WebhookBody>(['webhook', 'create', '--tenant', String(tenant), '--url', url, ...extra]);

  describe('webhook create', () => {
    it('prints the Webhook with its secret, subscribed to every event type, and stores it', async () => {
      const tenant = await newTenant();
      const webhook = await create(tenant);
      expect(Object.keys(webhook).sort()).toEqual(['Created', 'DisabledReason', 'Enabled', 'Events', 'ID', 'Secret', 'Url']);
      expect(webhook).toEqual({
        ID: expect.any(Number),
        Url: 'https://hooks.example.com/crm',
        Events: ALL_EVENT_TYPES,
        Enabled: true,
        DisabledReason: null,
        Created: expect.stringMatching(ISO_UTC),
        Secret: expect.stringMatching(WEBHOOK_SECRET),
      });
      expect(await rowsOf(tenant)).toEqual([
        expect.objectContaining({
          id: webhook.ID,
          url: webhook.Url,
          secret: webhook.Secret,
          eventTypes: null,
          enabled: true,
          createdBy: null,
        }),
      ]);
    });

    it('subscribes to the types of --events, each once', async () => {
      const tenant = await newTenant();
      const webhook = await create(tenant, 'https://hooks.example.com/some', '--events', 'file.deleted, files.attached,file.deleted');
      expect(webhook.Events).toEqual(['files.attached', 'file.deleted']);
      expect((await rowsOf(tenant))[0].eventTypes).toBe('files.attached,file.deleted');
    });

    it.each([
      ['a private target', ['--url', 'https://10.1.2.3/hook'], /not allowed.*private/],
      ['a loopback target', ['--url', 'https://127.0.0.1/hook'], /not allowed.*loopback/],
      ['the metadata address', ['--url', 'https://169.254.169.254/'], /not allowed/],
      ['localhost', ['--url', 'https://localhost:8443/'], /not allowed.*localhost/],
      ['an http URL', ['--url', 'http://hooks.example.com/'], /must use https/],
      ['a URL with credentials', ['--url', 'https://me:pw@hooks.example.com/'], /user name or password/],
      ['text that is not a URL', ['--url', 'hooks.example.com'], /absolute URL/],
      ['no --url', [], /--url is required/],
      ['an empty --url', ['--url', ' '], /--url is required/],
      ['an unknown event type', ['--url', 'https://hooks.example.com/', '--events', 'files.attached,file.renamed'], /--events must list/],
      ['an empty --events', ['--url', 'https://hooks.example.com/', '--events', ''], /--events must list/],
      ['a trailing comma in --events', ['--url', 'https://hooks.example.com/', '--events', 'file.deleted,'], /--events must list/],
      ['an unknown option', ['--url', 'https://hooks.example.com/', '--secret', 'x'], /Unknown option '--secret'/],
    ])('fails for %s, storing nothing', async (_name, args, message) => {
      const tenant = await newTenant();
      await fails(['webhook', 'create', '--tenant', String(tenant), ...args], message);
      expect(await rowsOf(tenant)).toEqual([]);
    });

    it('fails for an unknown tenant, or none', async () => {
      await fails(['webhook', 'create', '--tenant', String(NO_SUCH_ID), '--url', 'https://hooks.example.com/'], /No tenant with id/);
      await fails(['webhook', 'create', '--tenant', 'abc', '--url', 'https://hooks.example.com/'], /--tenant must be a positive integer/);
      await fails(['webhook', 'create', '--url', 'https://hooks.example.com/'], /--tenant is required/);
      expect(await subscriptions().countBy({ tenantId: NO_SUCH_ID })).toBe(0);
    });
  });

  describe('webhook list', () => {
    it('prints {"webhooks": [...]}: the tenant\'s own, by ID, without secrets', async () => {
      const tenant = await newTenant();
      const other = await newTenant();
      const first = await create(tenant, 'https://one.example.com/');
      await create(other, 'https://theirs.example.com/');
      const second = await create(tenant, 'https://two.example.com/', '--events', 'history.created');

      const listed = await ok<{ webhooks: WebhookBody[] }>(['webhook', 'list', '--tenant', String(tenant)]);
      expect(Object.keys(listed)).toEqual(['webhooks']);
      const withoutSecret = ({ Secret: _secret, ...rest }: WebhookBody) => rest;
      expect(listed.webhooks).toEqual([withoutSecret(first), withoutSecret(second)]);
      expect(JSON.stringify(listed)).not.toContain('whsec_');
    });

    it('prints an empty list for a tenant without webhooks, and fails for an unknown tenant', async () => {
      expect(await ok(['webhook', 'list', '--tenant', String(await newTenant())])).toEqual({ webhooks: [] });
      await fails(['webhook', 'list', '--tenant', String(NO_SUCH_ID)], /No tenant with id/);
      await fails(['webhook', 'list'], /--tenant is required/);
    });
  });

  describe('webhook delete', () => {
    it('prints {"deleted": N} and deletes it, given only its id', async () => {
      const tenant = await newTenant();
      const webhook = await create(tenant);
      const kept = await create(tenant, 'https://kept.example.com/');
      expect(await ok(['webhook', 'delete', '--id', String(webhook.ID)])).toEqual({ deleted: webhook.ID });
      expect((await rowsOf(tenant)).map((row) => row.id)).toEqual([kept.ID]);
      await fails(['webhook', 'delete', '--id', String(webhook.ID)], /no webhook with id/);
    });

    it("deletes with --tenant too, and fails for another tenant's webhook, keeping it", async () => {
      const tenant = await newTenant();
      const other = await newTenant();
      const webhook = await create(tenant);
      await fails(['webhook', 'delete', '--tenant', String(other), '--id', String(webhook.ID)], /no webhook with id/);
      expect((await rowsOf(tenant)).map((row) => row.id)).toEqual([webhook.ID]);
      expect(await ok(['webhook', 'delete', '--tenant', String(tenant), '--id', String(webhook.ID)])).toEqual({ deleted: webhook.ID });
      expect(await rowsOf(tenant)).toEqual([]);
    });

    it.each([
      ['a missing id', ['--id', String(NO_SUCH_ID)], /no webhook with id/],
      ['an id that is not a number', ['--id', 'x'], /--id must be a positive integer/],
      ['no id', [], /--id is required/],
      ['an unknown tenant', ['--tenant', String(NO_SUCH_ID), '--id', '1'], /No tenant with id/],
    ])('fails for %s', async (_name, args, message) => {
      await fails(['webhook', 'delete', ...args], message);
    });
  });

  describe('webhook rotate-secret', () => {
    it('prints the Webhook with a new secret, which replaces the old one', async () => {
      const tenant = await newTenant();
      const webhook = await create(tenant);
      const rotated = await ok<WebhookBody>(['webhook', 'rotate-secret', '--id', String(webhook.ID)]);
      const { Secret: oldSecret, ...rest } = webhook;
      expect(rotated).toEqual({ ...rest, Secret: expect.stringMatching(WEBHOOK_SECRET) });
      expect(rotated.Secret).not.toBe(oldSecret);
      expect((await rowsOf(tenant))[0].secret).toBe(rotated.Secret);
      expect(await subscriptions().countBy({ secret: oldSecret })).toBe(0);
    });

    it("fails for a missing webhook, and for another tenant's, keeping the secret", async () => {
      const tenant = await newTenant();
      const webhook = await create(tenant);
      await fails(['webhook', 'rotate-secret', '--id', String(NO_SUCH_ID)], /no webhook with id/);
      await fails(['webhook', 'rotate-secret', '--tenant', String(await newTenant()), '--id', String(webhook.ID)], /no webhook with id/);
      expect((await rowsOf(tenant))[0].secret).toBe(webhook.Secret);
    });
  });

  describe('webhook enable', () => {
    it('prints the Webhook enabled again, its reason cleared', async () => {
      const tenant = await newTenant();
      const webhook = await create(tenant);
      await subscriptions().update({ id: webhook.ID }, { enabled: false, disabledReason: 'x' });
      const enabled = await ok<WebhookBody>(['webhook', 'enable', '--tenant', String(tenant), '--id', String(webhook.ID)]);
      const { Secret: _secret, ...asListed } = webhook;
      expect(enabled).toEqual({ ...asListed, Enabled: true, DisabledReason: null });
      expect(await rowsOf(tenant)).toEqual([expect.objectContaining({ enabled: true, disabledReason: null })]);
    });

    it('fails for a missing webhook', async () => {
      await fails(['webhook', 'enable', '--id', String(NO_SUCH_ID)], /no webhook with id/);
    });
  });
});
