import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookAttempt } from '../../src/webhooks/entities/webhook-attempt.entity.js';
import { WebhookDelivery, type DeliveryState } from '../../src/webhooks/entities/webhook-delivery.entity.js';
import { WebhookEvent } from '../../src/webhooks/entities/webhook-event.entity.js';
import { WebhookSubscription } from '../../src/webhooks/entities/webhook-subscription.entity.js';
import type { WebhookEventType } from '../../src/webhooks/webhook-event-types.js';
import { ISO_UTC, NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectNoInternals, expectProblem } from '../support/problem.js';
import { useTestApp, type TestScene } from '../support/use-test-app.js';
import { ALL_EVENT_TYPES, WEBHOOK_SECRET, type WebhookBody } from '../support/webhook-shapes.js';

const WEBHOOKS = '/api/2.0/crm/webhooks';
const WEBHOOK_KEYS = ['Created', 'DisabledReason', 'Enabled', 'Events', 'ID', 'Url'];

/** The pieces every describe block of this file uses: a tenant with an admin and a member, and the webhook rows. */
function webhookScene({ t, f }: Pick<TestScene, 't' | 'f'>) {
  const subscriptions = () => t.dataSource.getRepository(WebhookSubscription);
  const events = () => t.dataSource.getRepository(WebhookEvent);
  const deliveries = () => t.dataSource.getRepository(WebhookDelivery);
  const attempts = () => t.dataSource.getRepository(WebhookAttempt);

  const tenant = async () => {
    const { id } = await f.tenant();
    return { tenantId: id, admin: await f.user(id, { admin: true }), member: await f.user(id) };
  };

  const create = (apiKey: string, body: object) => t.http().post(WEBHOOKS).set('Authorization', apiKey).send(body);

  /** Subscribes a webhook that must be created, and answers it (with its secret). */
  const created = async (apiKey: string, body: object = { url: 'https://hooks.example.com/crm' }) => {
    const response = await create(apiKey, body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as WebhookBody & { Secret: string };
  };

  /** The tenant's subscriptions as stored, by id: never the whole table (MySQL files share it). */
  const rowsOf = (tenantId: number) => subscriptions().find({ where: { tenantId }, order: { id: 'ASC' } });

  /** An outbox row written behind the API's back, as a change of the tenant would have. */
  const event = async (tenantId: number, type: WebhookEventType = 'files.attached') => {
    const row = events().create({
      publicId: `evt_${randomBytes(16).toString('base64url')}`,
      tenantId,
      type,
      orderingKey: 'contact:1',
      payload: JSON.stringify({ type }),
      createdAt: new Date(),
      dispatched: true,
    });
    await events().insert(row);
    return row;
  };

  const delivery = async (subscriptionId: number, of: WebhookEvent, state: DeliveryState, attemptsMade: number, nextAttemptAt: Date) => {
    const row = deliveries().create({
      subscriptionId,
      eventId: of.id,
      orderingKey: of.orderingKey,
      state,
      attempts: attemptsMade,
      nextAttemptAt,
      leaseUntil: null,
      createdAt: of.createdAt,
    });
    await deliveries().insert(row);
    return row;
  };

  const attempt = async (
    of: WebhookDelivery,
    number: number,
    outcome: { status: number | null; delivered: boolean; at: Date; ms: number },
  ) => {
    const row = attempts().create({
      deliveryId: of.id,
      subscriptionId: of.subscriptionId,
      eventId: of.eventId,
      attempt: number,
      status: outcome.status,
      delivered: outcome.delivered,
      error: outcome.delivered ? null : 'The receiver answered 500.',
      at: outcome.at,
      durationMs: outcome.ms,
    });
    await attempts().insert(row);
    return row;
  };

  return { subscriptions, events, deliveries, attempts, tenant, create, created, rowsOf, event, delivery, attempt };
}

describe('webhook admin API', () => {
  const { t, f } = useTestApp();
  const w = webhookScene({ t, f });

  describe('POST /webhooks', () => {
    it('subscribes to every event type when events is omitted, and shows the secret once', async () => {
      const { tenantId, admin } = await w.tenant();
      const before = Date.now();
      const response = await w.create(admin.apiKey, { url: 'https://hooks.example.com/crm?source=files' });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const body = response.body as WebhookBody;
      expect(Object.keys(body).sort()).toEqual([...WEBHOOK_KEYS, 'Secret'].sort());
      expect(body).toEqual({
        ID: expect.any(Number),
        Url: 'https://hooks.example.com/crm?source=files',
        Events: ALL_EVENT_TYPES,
        Enabled: true,
        DisabledReason: null,
        Created: expect.stringMatching(ISO_UTC),
        Secret: expect.stringMatching(WEBHOOK_SECRET),
      });
      // 32 random bytes: a whole HMAC-SHA256 key.
      expect(Buffer.from(body.Secret!.slice('whsec_'.length), 'base64')).toHaveLength(32);
      expect(Date.parse(body.Created)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(body.Created)).toBeLessThanOrEqual(Date.now() + 1000);

      expect(await w.rowsOf(tenantId)).toEqual([
        expect.objectContaining({
          id: body.ID,
          tenantId,
          url: body.Url,
          eventTypes: null,
          secret: body.Secret,
          enabled: true,
          disabledReason: null,
          createdBy: admin.id,
        }),
      ]);
    });

    it('keeps the event types asked for, each once', async () => {
      const { tenantId, admin } = await w.tenant();
      const body = await w.created(admin.apiKey, {
        url: 'https://hooks.example.com/some',
        events: ['file.deleted', 'files.attached', 'file.deleted', 'files.attached'],
      });
      expect(body.Events).toEqual(['files.attached', 'file.deleted']);
      const [row] = await w.rowsOf(tenantId);
      expect(row.eventTypes?.split(',')).toEqual(['files.attached', 'file.deleted']);
      // The list answers the same types.
      const listed = await t.http().get(WEBHOOKS).set(admin.auth);
      expect(listed.body[0].Events).toEqual(['files.attached', 'file.deleted']);
    });

    it('replays the first answer to the same Idempotency-Key, secret included, and subscribes once', async () => {
      const { tenantId, admin } = await w.tenant();
      const send = () =>
        t
          .http()
          .post(WEBHOOKS)
          .set(admin.auth)
          .set('Idempotency-Key', `webhook-${tenantId}`)
          .send({ url: 'https://hooks.example.com/once' });
      const first = await send();
      expect(first.status).toBe(200);
      const again = await send();
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toStrictEqual(first.body);
      const rows = await w.rowsOf(tenantId);
      expect(rows.map((row) => [row.id, row.secret])).toEqual([[first.body.ID, first.body.Secret]]);
    });

    describe('refuses, writing nothing', () => {
      /** A refused subscription: a problem body, nothing internal in it, and no row for the tenant. */
      const refused = async (tenantId: number, response: Awaited<ReturnType<typeof w.create>>, status: number) => {
        const problem = expectProblem(response, status);
        expectNoInternals(response);
        expect(await w.rowsOf(tenantId)).toEqual([]);
        return problem;
      };

      it('a member of the tenant (403)', async () => {
        const { tenantId, member } = await w.tenant();
        await refused(tenantId, await w.create(member.apiKey, { url: 'https://hooks.example.com/x' }), 403);
      });

      it('a request without an API key (401)', async () => {
        const { tenantId } = await w.tenant();
        await refused(tenantId, await t.http().post(WEBHOOKS).send({ url: 'https://hooks.example.com/x' }), 401);
      });

      it.each([
        ['an http:// URL', 'http://hooks.example.com/x'],
        ['a loopback address', 'https://127.0.0.1/x'],
        ['a loopback address with a port', 'https://127.0.0.1:8443/x'],
        ['a private address', 'https://10.1.2.3/x'],
        ['another private address', 'https://192.168.1.10/x'],
        ['the metadata address', 'https://169.254.169.254/latest/meta-data/'],
        ['IPv6 loopback', 'https://[::1]/x'],
        ['an IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/x'],
        ['IPv6 link-local', 'https://[fe80::1]/x'],
        ['localhost', 'https://localhost/x'],
        ['a name under localhost', 'https://api.localhost./x'],
        ['loopback as one decimal number', 'https://2130706433/'],
        ['loopback in hexadecimal', 'https://0x7f.1/'],
        ['loopback in octal', 'https://0177.0.0.1/'],
        ['0.0.0.0', 'https://0.0.0.0/'],
        ['a user name and password', 'https://user:secret@hooks.example.com/x'],
        ['a user name', 'https://user@hooks.example.com/x'],
        ['text that is not a URL', 'not a url'],
        ['a relative URL', '/hooks'],
        ['an ftp URL', 'ftp://hooks.example.com/x'],
        ['a fragment', 'https://hooks.example.com/x#part'],
        ['a URL over 2048 characters', `https://hooks.example.com/${'a'.repeat(2048)}`],
      ])('%s (400, naming url)', async (_name, url) => {
        const { tenantId, admin } = await w.tenant();
        const response = await w.create(admin.apiKey, { url });
        await refused(tenantId, response, 400);
        expectInvalidFields(response, 'url');
      });

      it.each([
        ['an unknown event type', { events: ['files.attached', 'file.renamed'] }, 'events'],
        ['an event type in another case', { events: ['Files.Attached'] }, 'events'],
        ['an empty events list', { events: [] }, 'events'],
        ['events that is not a list', { events: 'files.attached' }, 'events'],
        ['events null', { events: null }, 'events'],
        ['an unknown property', { secret: 'whsec_mine' }, 'secret'],
        ['a property in another case', { URL: 'https://hooks.example.com/x' }, 'URL'],
      ])('%s (400)', async (_name, extra, field) => {
        const { tenantId, admin } = await w.tenant();
        const response = await w.create(admin.apiKey, { url: 'https://hooks.example.com/x', ...extra });
        await refused(tenantId, response, 400);
        expectInvalidFields(response, field);
      });

      it('no url (400)', async () => {
        const { tenantId, admin } = await w.tenant();
        const response = await w.create(admin.apiKey, { events: ['files.attached'] });
        await refused(tenantId, response, 400);
        expectInvalidFields(response, 'url');
      });

      it('a body that is not JSON (415)', async () => {
        const { tenantId, admin } = await w.tenant();
        const response = await t
          .http()
          .post(WEBHOOKS)
          .set(admin.auth)
          .set('Content-Type', 'text/plain')
          .send('https://hooks.example.com/x');
        await refused(tenantId, response, 415);
      });

      it('malformed JSON (400)', async () => {
        const { tenantId, admin } = await w.tenant();
        const response = await t.http().post(WEBHOOKS).set(admin.auth).set('Content-Type', 'application/json').send('{"url": ');
        await refused(tenantId, response, 400);
      });
    });
  });

  describe('GET /webhooks', () => {
    it("lists the tenant's webhooks by ID as a bare array, without secrets", async () => {
      const { admin } = await w.tenant();
      const neighbour = await w.tenant();
      const first = await w.created(admin.apiKey, { url: 'https://one.example.com/' });
      await w.created(neighbour.admin.apiKey, { url: 'https://theirs.example.com/' });
      const second = await w.created(admin.apiKey, { url: 'https://two.example.com/', events: ['history.deleted'] });

      const response = await t.http().get(WEBHOOKS).set(admin.auth);
      expect(response.status).toBe(200);
      expect(Array.isArray(response.body)).toBe(true);
      const withoutSecret = ({ Secret: _secret, ...rest }: WebhookBody) => rest;
      expect(response.body).toEqual([withoutSecret(first), withoutSecret(second)]);
      for (const webhook of response.body) expect(Object.keys(webhook).sort()).toEqual(WEBHOOK_KEYS);
      expect(response.text).not.toContain('whsec_');
    });

    it('answers an empty array to a tenant without webhooks', async () => {
      const { admin } = await w.tenant();
      const response = await t.http().get(WEBHOOKS).set(admin.auth);
      expect(response.status).toBe(200);
      expect(response.body).toEqual([]);
    });

    it('answers 403 to a member and 401 without a key', async () => {
      const { admin, member } = await w.tenant();
      await w.created(admin.apiKey);
      expectProblem(await t.http().get(WEBHOOKS).set(member.auth), 403);
      expectProblem(await t.http().get(WEBHOOKS), 401);
    });
  });

  describe('DELETE /webhooks/{id}', () => {
    it('answers the webhook as it was and deletes it with its deliveries and their attempts', async () => {
      const { tenantId, admin } = await w.tenant();
      const webhook = await w.created(admin.apiKey);
      const kept = await w.created(admin.apiKey, { url: 'https://kept.example.com/' });
      const event = await w.event(tenantId);
      const delivery = await w.delivery(webhook.ID, event, 'pending', 1, new Date(Date.now() + 60_000));
      await w.attempt(delivery, 1, { status: 500, delivered: false, at: new Date(), ms: 12 });
      const keptDelivery = await w.delivery(kept.ID, event, 'delivered', 1, new Date());
      await w.attempt(keptDelivery, 1, { status: 204, delivered: true, at: new Date(), ms: 8 });

      const response = await t.http().delete(`${WEBHOOKS}/${webhook.ID}`).set(admin.auth);
      expect(response.status).toBe(200);
      const { Secret: _secret, ...asListed } = webhook;
      expect(response.body).toEqual(asListed);

      expect((await w.rowsOf(tenantId)).map((row) => row.id)).toEqual([kept.ID]);
      expect(await w.deliveries().countBy({ subscriptionId: webhook.ID })).toBe(0);
      expect(await w.attempts().countBy({ subscriptionId: webhook.ID })).toBe(0);
      // The other webhook's log and the event itself stay.
      expect(await w.deliveries().countBy({ subscriptionId: kept.ID })).toBe(1);
      expect(await w.attempts().countBy({ subscriptionId: kept.ID })).toBe(1);
      expect(await w.events().countBy({ id: event.id })).toBe(1);

      const again = await t.http().delete(`${WEBHOOKS}/${webhook.ID}`).set(admin.auth);
      expectProblem(again, 404);
    });

    it("answers 404 for another tenant's webhook and for a missing one, 403 to a member, deleting nothing", async () => {
      const mine = await w.tenant();
      const theirs = await w.tenant();
      const webhook = await w.created(theirs.admin.apiKey);
      const own = await w.created(mine.admin.apiKey);

      const cross = await t.http().delete(`${WEBHOOKS}/${webhook.ID}`).set(mine.admin.auth);
      const missing = await t.http().delete(`${WEBHOOKS}/${NO_SUCH_ID}`).set(mine.admin.auth);
      expectProblem(cross, 404);
      expectProblem(missing, 404);
      expect(cross.body.detail.replace(String(webhook.ID), '<id>')).toBe(missing.body.detail.replace(String(NO_SUCH_ID), '<id>'));
      expectProblem(await t.http().delete(`${WEBHOOKS}/${own.ID}`).set(mine.member.auth), 403);
      expectProblem(await t.http().delete(`${WEBHOOKS}/${own.ID}`), 401);
      expect((await w.rowsOf(theirs.tenantId)).map((row) => row.id)).toEqual([webhook.ID]);
      expect((await w.rowsOf(mine.tenantId)).map((row) => row.id)).toEqual([own.ID]);
    });

    it.each(['0', '-1', '01', 'abc', '2147483648'])('answers 400 to the id %s', async (id) => {
      const { admin } = await w.tenant();
      expectProblem(await t.http().delete(`${WEBHOOKS}/${id}`).set(admin.auth), 400);
    });
  });

  describe('POST /webhooks/{id}/secret', () => {
    it('answers a new secret and stores it in place of the old one', async () => {
      const { tenantId, admin } = await w.tenant();
      const webhook = await w.created(admin.apiKey);
      const response = await t.http().post(`${WEBHOOKS}/${webhook.ID}/secret`).set(admin.auth);
      expect(response.status).toBe(200);
      const { Secret: oldSecret, ...rest } = webhook;
      expect(response.body).toEqual({ ...rest, Secret: expect.stringMatching(WEBHOOK_SECRET) });
      expect(response.body.Secret).not.toBe(oldSecret);

      const [row] = await w.rowsOf(tenantId);
      expect(row.secret).toBe(response.body.Secret);
      expect(await w.subscriptions().countBy({ secret: oldSecret })).toBe(0);
      // The list still shows no secret.
      expect((await t.http().get(WEBHOOKS).set(admin.auth)).text).not.toContain('whsec_');
    });

    it("answers 403 to a member, 404 for another tenant's webhook, and keeps the secret", async () => {
      const mine = await w.tenant();
      const theirs = await w.tenant();
      const own = await w.created(mine.admin.apiKey);
      const other = await w.created(theirs.admin.apiKey);
      expectProblem(await t.http().post(`${WEBHOOKS}/${own.ID}/secret`).set(mine.member.auth), 403);
      expectProblem(await t.http().post(`${WEBHOOKS}/${other.ID}/secret`).set(mine.admin.auth), 404);
      expectProblem(await t.http().post(`${WEBHOOKS}/${NO_SUCH_ID}/secret`).set(mine.admin.auth), 404);
      expect((await w.rowsOf(mine.tenantId))[0].secret).toBe(own.Secret);
      expect((await w.rowsOf(theirs.tenantId))[0].secret).toBe(other.Secret);
    });
  });

  describe('POST /webhooks/{id}/enable', () => {
    it('enables a disabled webhook and clears its reason', async () => {
      const { tenantId, admin } = await w.tenant();
      const webhook = await w.created(admin.apiKey);
      await w.subscriptions().update({ id: webhook.ID }, { enabled: false, disabledReason: 'x' });
      const listed = await t.http().get(WEBHOOKS).set(admin.auth);
      expect(listed.body[0]).toMatchObject({ Enabled: false, DisabledReason: 'x' });

      const response = await t.http().post(`${WEBHOOKS}/${webhook.ID}/enable`).set(admin.auth);
      expect(response.status).toBe(200);
      const { Secret: _secret, ...asListed } = webhook;
      expect(response.body).toEqual({ ...asListed, Enabled: true, DisabledReason: null });
      expect(await w.rowsOf(tenantId)).toEqual([expect.objectContaining({ enabled: true, disabledReason: null, secret: webhook.Secret })]);
    });

    it('leaves an enabled webhook as it is, whether or not the client sends an (empty) JSON body', async () => {
      const { admin } = await w.tenant();
      const webhook = await w.created(admin.apiKey);
      const response = await t.http().post(`${WEBHOOKS}/${webhook.ID}/enable`).set(admin.auth).send({});
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ ID: webhook.ID, Enabled: true, DisabledReason: null });
    });

    it("answers 403 to a member and 404 for another tenant's webhook, leaving it disabled", async () => {
      const mine = await w.tenant();
      const theirs = await w.tenant();
      const own = await w.created(mine.admin.apiKey);
      const other = await w.created(theirs.admin.apiKey);
      await w.subscriptions().update({ id: own.ID }, { enabled: false, disabledReason: 'x' });
      await w.subscriptions().update({ id: other.ID }, { enabled: false, disabledReason: 'x' });
      expectProblem(await t.http().post(`${WEBHOOKS}/${own.ID}/enable`).set(mine.member.auth), 403);
      expectProblem(await t.http().post(`${WEBHOOKS}/${other.ID}/enable`).set(mine.admin.auth), 404);
      for (const tenantId of [mine.tenantId, theirs.tenantId]) {
        expect(await w.rowsOf(tenantId)).toEqual([expect.objectContaining({ enabled: false, disabledReason: 'x' })]);
      }
    });
  });

  describe('GET /webhooks/{id}/deliveries', () => {
    const DELIVERY_KEYS = ['EventId', 'Type', 'Attempt', 'Status', 'Outcome', 'At', 'DurationMs'];

    /**
     * A webhook with a log: e1 delivered at its second attempt, e2 failed once and pending, e3
     * failed every attempt. Another webhook of the tenant has a log of its own.
     */
    async function withLog() {
      const { tenantId, admin, member } = await w.tenant();
      const webhook = await w.created(admin.apiKey);
      const other = await w.created(admin.apiKey, { url: 'https://other.example.com/' });
      const t0 = Date.UTC(2026, 10, 27, 9, 0, 0);
      const at = (seconds: number) => new Date(t0 + seconds * 1000);
      const [e1, e2, e3] = [await w.event(tenantId, 'file.uploaded'), await w.event(tenantId), await w.event(tenantId, 'history.deleted')];
      const d1 = await w.delivery(webhook.ID, e1, 'delivered', 2, at(5));
      await w.attempt(d1, 1, { status: 500, delivered: false, at: at(0), ms: 30 });
      await w.attempt(d1, 2, { status: 200, delivered: true, at: at(5), ms: 41 });
      const d2 = await w.delivery(webhook.ID, e2, 'pending', 1, at(600));
      await w.attempt(d2, 1, { status: null, delivered: false, at: at(10), ms: 10_000 });
      const d3 = await w.delivery(webhook.ID, e3, 'failed', 1, at(20));
      await w.attempt(d3, 1, { status: 410, delivered: false, at: at(20), ms: 7 });
      const o1 = await w.delivery(other.ID, e1, 'pending', 0, at(1));
      await w.attempt(o1, 1, { status: 503, delivered: false, at: at(30), ms: 3 });

      const expected = [
        {
          EventId: e2.publicId,
          Type: 'files.attached',
          Attempt: 2,
          Status: null,
          Outcome: 'pending',
          At: at(600).toISOString(),
          DurationMs: null,
        },
        {
          EventId: e3.publicId,
          Type: 'history.deleted',
          Attempt: 1,
          Status: 410,
          Outcome: 'failed',
          At: at(20).toISOString(),
          DurationMs: 7,
        },
        {
          EventId: e2.publicId,
          Type: 'files.attached',
          Attempt: 1,
          Status: null,
          Outcome: 'failed',
          At: at(10).toISOString(),
          DurationMs: 10_000,
        },
        {
          EventId: e1.publicId,
          Type: 'file.uploaded',
          Attempt: 2,
          Status: 200,
          Outcome: 'delivered',
          At: at(5).toISOString(),
          DurationMs: 41,
        },
        {
          EventId: e1.publicId,
          Type: 'file.uploaded',
          Attempt: 1,
          Status: 500,
          Outcome: 'failed',
          At: at(0).toISOString(),
          DurationMs: 30,
        },
      ];
      return { tenantId, admin, member, webhook, other, expected };
    }

    const log = (apiKey: string, id: number, query: Record<string, string> = {}) =>
      t.http().get(`${WEBHOOKS}/${id}/deliveries`).query(query).set('Authorization', apiKey);

    it('lists the pending attempt first, then the attempts made, newest first, with exactly the documented keys', async () => {
      const { admin, webhook, expected } = await withLog();
      const response = await log(admin.apiKey, webhook.ID);
      expect(response.status).toBe(200);
      expect(response.headers['x-total-count']).toBe('5');
      expect(response.body).toEqual(expected);
      for (const item of response.body) expect(Object.keys(item)).toEqual(DELIVERY_KEYS);
    });

    it('pages with startIndex and count, X-Total-Count counting them all', async () => {
      const { admin, webhook, expected } = await withLog();
      const page = async (startIndex: number, count: number) => {
        const response = await log(admin.apiKey, webhook.ID, { startIndex: String(startIndex), count: String(count) });
        expect(response.status).toBe(200);
        expect(response.headers['x-total-count']).toBe('5');
        return response.body;
      };
      expect(await page(0, 1)).toEqual(expected.slice(0, 1));
      expect(await page(1, 2)).toEqual(expected.slice(1, 3));
      expect(await page(0, 3)).toEqual(expected.slice(0, 3));
      expect(await page(3, 100)).toEqual(expected.slice(3));
      expect(await page(5, 10)).toEqual([]);
      expect(await page(500, 1000)).toEqual([]);
    });

    it('answers an empty log for a new webhook', async () => {
      const { admin } = await w.tenant();
      const webhook = await w.created(admin.apiKey);
      const response = await log(admin.apiKey, webhook.ID);
      expect(response.status).toBe(200);
      expect(response.headers['x-total-count']).toBe('0');
      expect(response.body).toEqual([]);
    });

    it.each<Record<string, string>>([
      { startIndex: '-1' },
      { startIndex: 'x' },
      { startIndex: '1.5' },
      { count: '0' },
      { count: '1001' },
      { count: '' },
      { count: '10abc' },
    ])('answers 400 to %o', async (query) => {
      const { admin, webhook } = await withLog();
      expectProblem(await log(admin.apiKey, webhook.ID, query), 400);
    });

    it("answers 403 to a member and 404 for another tenant's webhook", async () => {
      const { member, admin, webhook } = await withLog();
      const theirs = await w.tenant();
      expectProblem(await log(member.apiKey, webhook.ID), 403);
      expectProblem(await log(theirs.admin.apiKey, webhook.ID), 404);
      expectProblem(await log(admin.apiKey, NO_SUCH_ID), 404);
    });
  });

  describe('POST /webhooks/{id}/replay', () => {
    const replay = (apiKey: string, id: number, body: object) =>
      t.http().post(`${WEBHOOKS}/${id}/replay`).set('Authorization', apiKey).send(body);

    /** A webhook that was given one event (delivered), and the rows of its deliveries. */
    async function given() {
      const scene = await w.tenant();
      const webhook = await w.created(scene.admin.apiKey);
      const event = await w.event(scene.tenantId, 'history.created');
      const delivery = await w.delivery(webhook.ID, event, 'delivered', 1, new Date());
      await w.attempt(delivery, 1, { status: 200, delivered: true, at: new Date(), ms: 5 });
      const deliveriesOf = (subscriptionId = webhook.ID) => w.deliveries().find({ where: { subscriptionId }, order: { id: 'ASC' } });
      return { ...scene, webhook, event, delivery, deliveriesOf };
    }

    it('queues the event again: a new pending delivery of the same event', async () => {
      const { admin, webhook, event, delivery, deliveriesOf } = await given();
      const before = Date.now();
      const response = await replay(admin.apiKey, webhook.ID, { eventId: event.publicId });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ queued: true });

      const rows = await deliveriesOf();
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ id: delivery.id, state: 'delivered' });
      expect(rows[1]).toMatchObject({ eventId: event.id, state: 'pending', attempts: 0, orderingKey: event.orderingKey, leaseUntil: null });
      expect(rows[1].nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(rows[1].nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

      // The log shows it as the pending attempt.
      const logged = await t.http().get(`${WEBHOOKS}/${webhook.ID}/deliveries`).set(admin.auth);
      expect(logged.body[0]).toMatchObject({ EventId: event.publicId, Outcome: 'pending', Attempt: 1 });
    });

    it('answers 404 for an event id no event has, and for an event of another webhook or tenant, queuing nothing', async () => {
      const mine = await given();
      const theirs = await given();
      const sibling = await w.created(mine.admin.apiKey, { url: 'https://sibling.example.com/' });
      const siblingEvent = await w.event(mine.tenantId);
      await w.delivery(sibling.ID, siblingEvent, 'delivered', 1, new Date());

      for (const eventId of [`evt_${randomBytes(16).toString('base64url')}`, theirs.event.publicId, siblingEvent.publicId]) {
        const response = await replay(mine.admin.apiKey, mine.webhook.ID, { eventId });
        expectProblem(response, 404);
        // The same words whoever's the event is: nothing about another tenant's event is told.
        expect(response.body.detail).toBe(`Webhook ${mine.webhook.ID} was never given an event with id ${eventId}.`);
      }
      // Its own event, through another tenant's webhook id: the webhook is not the caller's.
      expectProblem(await replay(mine.admin.apiKey, theirs.webhook.ID, { eventId: theirs.event.publicId }), 404);
      expectProblem(await replay(mine.admin.apiKey, NO_SUCH_ID, { eventId: mine.event.publicId }), 404);
      expect(await mine.deliveriesOf()).toHaveLength(1);
      expect(await mine.deliveriesOf(sibling.ID)).toHaveLength(1);
      expect(await theirs.deliveriesOf()).toHaveLength(1);
    });

    it.each([
      ['an event id without its prefix', { eventId: 'abc' }, 'eventId'],
      ['an event id with a slash', { eventId: 'evt_a/b' }, 'eventId'],
      ['an empty event id', { eventId: '' }, 'eventId'],
      ['a number', { eventId: 12 }, 'eventId'],
      ['no event id', {}, 'eventId'],
      ['an unknown property', { eventId: 'evt_abc', also: 1 }, 'also'],
    ])('answers 400 to %s, queuing nothing', async (_name, body, field) => {
      const { admin, webhook, deliveriesOf } = await given();
      expectInvalidFields(await replay(admin.apiKey, webhook.ID, body), field);
      expect(await deliveriesOf()).toHaveLength(1);
    });

    it('answers 409 while the webhook is disabled, queuing nothing', async () => {
      const { admin, webhook, event, deliveriesOf } = await given();
      await w.subscriptions().update({ id: webhook.ID }, { enabled: false, disabledReason: 'x' });
      const response = await replay(admin.apiKey, webhook.ID, { eventId: event.publicId });
      expectProblem(response, 409);
      expect(await deliveriesOf()).toHaveLength(1);

      // Once enabled, the same replay is queued.
      expect((await t.http().post(`${WEBHOOKS}/${webhook.ID}/enable`).set(admin.auth)).status).toBe(200);
      expect((await replay(admin.apiKey, webhook.ID, { eventId: event.publicId })).status).toBe(200);
      expect(await deliveriesOf()).toHaveLength(2);
    });

    it('answers 403 to a member, 401 without a key and 415 to a body that is not JSON, queuing nothing', async () => {
      const { admin, member, webhook, event, deliveriesOf } = await given();
      expectProblem(await replay(member.apiKey, webhook.ID, { eventId: event.publicId }), 403);
      expectProblem(await t.http().post(`${WEBHOOKS}/${webhook.ID}/replay`).send({ eventId: event.publicId }), 401);
      const asText = await t
        .http()
        .post(`${WEBHOOKS}/${webhook.ID}/replay`)
        .set(admin.auth)
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify({ eventId: event.publicId }));
      expectProblem(asText, 415);
      expect(await deliveriesOf()).toHaveLength(1);
    });
  });
});

describe('webhook admin API with http and private targets allowed', () => {
  const { t, f } = useTestApp({ webhooks: { allowHttp: true, allowPrivateTargets: true, retryScheduleMs: [100] } });
  const w = webhookScene({ t, f });

  it.each([
    'http://hooks.example.com/x',
    'http://127.0.0.1:8080/hook',
    'https://10.1.2.3/x',
    'http://[::1]:9000/x',
    'http://localhost:3001/x',
    'https://169.254.169.254/',
  ])('accepts %s', async (url) => {
    const { tenantId, admin } = await w.tenant();
    const body = await w.created(admin.apiKey, { url });
    expect(body.Url).toBe(new URL(url).href);
    expect((await w.rowsOf(tenantId)).map((row) => row.url)).toEqual([new URL(url).href]);
  });

  it.each([
    ['credentials', 'http://user:pass@127.0.0.1/x'],
    ['another scheme', 'ftp://127.0.0.1/x'],
    ['text that is not a URL', 'nope'],
  ])('still refuses %s', async (_name, url) => {
    const { tenantId, admin } = await w.tenant();
    expectInvalidFields(await w.create(admin.apiKey, { url }), 'url');
    expect(await w.rowsOf(tenantId)).toEqual([]);
  });
});
