import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { WebhookDelivery } from '../../src/webhooks/entities/webhook-delivery.entity.js';
import { WebhookSubscription } from '../../src/webhooks/entities/webhook-subscription.entity.js';
import { useWebhookDelivery } from '../support/webhook-delivery.js';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver.js';

/**
 * What happens when a hooks.receiver fails: retries on the schedule (50 ms, then 100 ms: three attempts
 * in all), Retry-After honoured, the delivery log, disabling once an event failed every attempt,
 * enabling (the events held back arrive), replay, and secret rotation.
 */
describe('webhook retries, disabling and replay', () => {
  const hooks = useWebhookDelivery([50, 100]);
  const { t, f } = hooks;

  async function scene() {
    const tenant = await f.tenant();
    const admin = await f.user(tenant.id, { admin: true });
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(admin);
    const created = await t
      .http()
      .post('/api/2.0/crm/webhooks')
      .set(admin.auth)
      .send({ url: hooks.receiver.url, events: ['files.attached'] });
    expect(created.status).toBe(200);
    const webhook = created.body as { ID: number; Secret: string };
    const attach = async () => {
      const response = await t
        .http()
        .post(`/api/2.0/crm/contact/${contactId}/files`)
        .set(admin.auth)
        .send({ fileids: [fileId] });
      expect(response.status).toBe(200);
      return response.body as { ID: number };
    };
    const log = async () => {
      const response = await t.http().get(`/api/2.0/crm/webhooks/${webhook.ID}/deliveries`).set(admin.auth);
      expect(response.status).toBe(200);
      return response;
    };
    const subscription = () => t.dataSource.getRepository(WebhookSubscription).findOneByOrFail({ id: webhook.ID });
    return { tenant, admin, webhook, attach, log, subscription };
  }

  const verifies = (secret: string, delivery: ReceivedWebhook) => {
    try {
      new Webhook(secret).verify(delivery.body, {
        'webhook-id': String(delivery.headers['webhook-id']),
        'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
        'webhook-signature': String(delivery.headers['webhook-signature']),
      });
      return true;
    } catch {
      return false;
    }
  };

  it('retries a 5xx on the schedule until a 2xx, with the same webhook-id, and logs every attempt', async () => {
    const { webhook, attach, log } = await scene();
    hooks.receiver.answer = (_request, index) => ({ status: index < 2 ? 500 : 204 });
    await attach();
    const [first, second, third] = await hooks.receiver.waitFor(3);
    expect(new Set([first, second, third].map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
    expect([first, second, third].every((delivery) => verifies(webhook.Secret, delivery))).toBe(true);
    expect(second.at - first.at).toBeGreaterThanOrEqual(50);
    expect(third.at - second.at).toBeGreaterThanOrEqual(100);
    await expect
      .poll(async () => (await log()).body.map((entry: { Outcome: string }) => entry.Outcome))
      .toEqual(['delivered', 'failed', 'failed']);
    const response = await log();
    expect(response.headers['x-total-count']).toBe('3');
    expect(response.body.map((entry: { Attempt: number; Status: number }) => [entry.Attempt, entry.Status])).toEqual([
      [3, 204],
      [2, 500],
      [1, 500],
    ]);
    expect(response.body[0]).toEqual({
      EventId: first.event.id,
      Type: 'files.attached',
      Attempt: 3,
      Status: 204,
      Outcome: 'delivered',
      At: expect.any(String),
      DurationMs: expect.any(Number),
    });
    // Nothing further arrives once delivered.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks.receiver.received).toHaveLength(3);
  });

  it('waits at least as long as a 429 asks in Retry-After', async () => {
    const { attach } = await scene();
    hooks.receiver.answer = (_request, index) => (index === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 });
    await attach();
    const [limited, retried] = await hooks.receiver.waitFor(2, 10_000);
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(1000);
    expect(retried.headers['webhook-id']).toBe(limited.headers['webhook-id']);
  });

  it('counts a hooks.receiver that is down as a failed attempt without a status', async () => {
    const { attach, log } = await scene();
    await hooks.receiver.close();
    await attach();
    await expect
      .poll(async () => (await log()).body.filter((entry: { Outcome: string }) => entry.Outcome === 'failed'), { timeout: 10_000 })
      .toEqual([
        expect.objectContaining({ Attempt: 3, Status: null }),
        expect.objectContaining({ Attempt: 2 }),
        expect.objectContaining({ Attempt: 1 }),
      ]);
    hooks.receiver = await WebhookReceiver.start();
  });

  it('disables a subscription once an event failed every attempt, holds events back until it is enabled, and replays the failed one', async () => {
    const { admin, webhook, attach, subscription } = await scene();
    hooks.receiver.answer = () => ({ status: 503 });
    const failing = await attach();
    const deliveries = await hooks.receiver.waitFor(3);
    await expect.poll(async () => (await subscription()).enabled).toBe(false);
    const failedId = deliveries[0].event.id;
    const listed = await t.http().get('/api/2.0/crm/webhooks').set(admin.auth);
    expect(listed.body).toEqual([
      expect.objectContaining({
        ID: webhook.ID,
        Enabled: false,
        DisabledReason: `Event ${failedId} failed 3 attempts; the last: HTTP 503.`,
      }),
    ]);
    expect((deliveries[0].event.data.Event as { ID: number }).ID).toBe(failing.ID);

    // Held back while disabled: pending, not sent.
    hooks.receiver.answer = () => ({ status: 200 });
    const heldBack = await attach();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hooks.receiver.received).toHaveLength(3);
    const pending = await t.dataSource.getRepository(WebhookDelivery).findBy({ subscriptionId: webhook.ID, state: 'pending' });
    expect(pending).toHaveLength(1);
    const refused = await t.http().post(`/api/2.0/crm/webhooks/${webhook.ID}/replay`).set(admin.auth).send({ eventId: failedId });
    expect(refused.status).toBe(409);

    const enabled = await t.http().post(`/api/2.0/crm/webhooks/${webhook.ID}/enable`).set(admin.auth);
    expect(enabled.body).toMatchObject({ Enabled: true, DisabledReason: null });
    const [resumed] = (await hooks.receiver.waitFor(4)).slice(3);
    expect((resumed.event.data.Event as { ID: number }).ID).toBe(heldBack.ID);

    const replay = await t.http().post(`/api/2.0/crm/webhooks/${webhook.ID}/replay`).set(admin.auth).send({ eventId: failedId });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ queued: true });
    const [replayed] = (await hooks.receiver.waitFor(5)).slice(4);
    expect(replayed.headers['webhook-id']).toBe(failedId);
    expect(replayed.body).toBe(deliveries[0].body);
    expect(verifies(webhook.Secret, replayed)).toBe(true);
  });

  it('signs with the new secret from the moment it is rotated, and the old one no longer verifies', async () => {
    const { admin, webhook, attach } = await scene();
    await attach();
    const [before] = await hooks.receiver.waitFor(1);
    expect(verifies(webhook.Secret, before)).toBe(true);
    const rotated = await t.http().post(`/api/2.0/crm/webhooks/${webhook.ID}/secret`).set(admin.auth);
    expect(rotated.status).toBe(200);
    expect(rotated.body.Secret).not.toBe(webhook.Secret);
    await attach();
    const [, after] = await hooks.receiver.waitFor(2);
    expect(verifies(rotated.body.Secret, after)).toBe(true);
    expect(verifies(webhook.Secret, after)).toBe(false);
  });
});
