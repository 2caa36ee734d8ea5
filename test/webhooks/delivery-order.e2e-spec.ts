import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEvent } from '../../src/webhooks/entities/webhook-event.entity.js';
import { WebhookAttempt } from '../../src/webhooks/entities/webhook-attempt.entity.js';
import { WebhookSubscription } from '../../src/webhooks/entities/webhook-subscription.entity.js';
import { WebhookDelivery } from '../../src/webhooks/entities/webhook-delivery.entity.js';
import { EVENT_RETENTION_MS, WebhookWorker } from '../../src/webhooks/worker/webhook-worker.js';
import { NO_SUCH_ID } from '../support/constants.js';
import { useTestApp } from '../support/use-test-app.js';
import { useWebhookDelivery } from '../support/webhook-delivery.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Which events a subscription gets, and in what order: nothing for a change that rolled back,
 * only the types it asked for, nothing from before it existed, a record's events in commit order.
 */
describe('webhook events: which, and in what order', () => {
  const hooks = useWebhookDelivery([50]);
  const { t, f } = hooks;

  async function scene(events?: string[]) {
    const tenant = await f.tenant();
    const admin = await f.user(tenant.id, { admin: true });
    const contactId = await f.contact(tenant.id);
    const fileIds = await f.files(admin, 3);
    const subscribe = async (body: object) => {
      const created = await t.http().post('/api/2.0/crm/webhooks').set(admin.auth).send(body);
      expect(created.status).toBe(200);
      return created.body as { ID: number; Secret: string };
    };
    const webhook = await subscribe(events ? { url: hooks.receiver.url, events } : { url: hooks.receiver.url });
    const attach = (ids: number[], record = `contact/${contactId}`) =>
      t.http().post(`/api/2.0/crm/${record}/files`).set(admin.auth).send({ fileids: ids });
    const outbox = () => t.dataSource.getRepository(WebhookEvent).countBy({ tenantId: tenant.id });
    return { tenant, admin, contactId, fileIds, webhook, subscribe, attach, outbox };
  }

  it('writes no event for a request that fails, and delivers nothing for it', async () => {
    const { attach, fileIds, outbox } = await scene();
    expect((await attach([fileIds[0], NO_SUCH_ID])).status).toBe(404);
    expect((await attach(fileIds, `contact/${NO_SUCH_ID}`)).status).toBe(404);
    expect(await outbox()).toBe(0);
    // A committed change afterwards is the first and only delivery.
    expect((await attach([fileIds[0]])).status).toBe(200);
    expect(await outbox()).toBe(1);
    const [delivery] = await hooks.receiver.waitFor(1);
    expect(delivery.event.type).toBe('files.attached');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks.receiver.received).toHaveLength(1);
  });

  it('delivers only the types a subscription asked for', async () => {
    const { admin, attach, fileIds } = await scene(['file.deleted']);
    expect((await attach([fileIds[0]])).status).toBe(200);
    expect((await t.http().delete(`/api/2.0/crm/files/${fileIds[1]}`).set(admin.auth)).status).toBe(200);
    const [delivery] = await hooks.receiver.waitFor(1);
    expect(delivery.event).toMatchObject({ type: 'file.deleted', data: { File: { ID: fileIds[1] } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks.receiver.types()).toEqual(['file.deleted']);
  });

  it('gives a new subscription only the events that happen after it was created', async () => {
    const { attach, fileIds, subscribe, tenant } = await scene();
    expect((await attach([fileIds[0]])).status).toBe(200);
    await hooks.receiver.waitFor(1);
    const late = await WebhookReceiver.start('/late');
    try {
      await subscribe({ url: late.url });
      expect((await attach([fileIds[1]])).status).toBe(200);
      const [only] = await late.waitFor(1);
      expect(only.event.data).toMatchObject({ Event: { Files: [{ ID: fileIds[1] }] } });
      await hooks.receiver.waitFor(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(late.received).toHaveLength(1);
      expect(await t.dataSource.getRepository(WebhookSubscription).countBy({ tenantId: tenant.id })).toBe(2);
    } finally {
      await late.close();
    }
  });

  it("delivers a record's events in the order they were committed, one at a time, even while the hooks.receiver is slow and fails", async () => {
    const { attach, fileIds } = await scene();
    // Slow, and every third request fails once: a retry must not let a later event overtake.
    hooks.receiver.answer = (_request, index) => ({ status: index % 3 === 1 ? 500 : 200, delayMs: 20 });
    const eventIds: number[] = [];
    for (let round = 0; round < 8; round++) {
      const response = await attach([fileIds[round % 3]]);
      expect(response.status).toBe(200);
      eventIds.push(response.body.ID);
    }
    await expect.poll(() => new Set(hooks.receiver.received.map((entry) => entry.event.id)).size, { timeout: 15_000 }).toBe(8);
    const firstArrivals: number[] = [];
    const seen = new Set<string>();
    for (const entry of hooks.receiver.received) {
      if (seen.has(entry.event.id)) continue;
      seen.add(entry.event.id);
      firstArrivals.push((entry.event.data.Event as { ID: number }).ID);
    }
    expect(firstArrivals).toEqual(eventIds);
    // One at a time: no request of this record began before the previous one was answered.
    for (let index = 1; index < hooks.receiver.received.length; index++) {
      expect(hooks.receiver.received[index].at).toBeGreaterThanOrEqual(hooks.receiver.received[index - 1].at + 20);
    }
  });
  it('prunes events past the retention once nothing is pending for them, with their deliveries and log', async () => {
    const { webhook, attach, fileIds, tenant } = await scene();
    const delivered = (await attach([fileIds[0]])).body.ID as number;
    await hooks.receiver.waitFor(1);
    const repository = t.dataSource.getRepository(WebhookEvent);
    await expect.poll(async () => t.dataSource.getRepository(WebhookAttempt).countBy({ subscriptionId: webhook.ID })).toBe(1);
    // Held back: the subscription is disabled, so this one stays pending.
    await t.dataSource.getRepository(WebhookSubscription).update({ id: webhook.ID }, { enabled: false });
    expect((await attach([fileIds[1]])).status).toBe(200);
    await expect.poll(async () => t.dataSource.getRepository(WebhookDelivery).countBy({ subscriptionId: webhook.ID })).toBe(2);
    const old = new Date(Date.now() - EVENT_RETENTION_MS - 60_000);
    await repository.update({ tenantId: tenant.id }, { createdAt: old });

    expect(await t.app.get(WebhookWorker).prune(new Date(Date.now() - EVENT_RETENTION_MS))).toBe(1);
    const left = await repository.findBy({ tenantId: tenant.id });
    expect(left).toHaveLength(1);
    expect(JSON.parse(left[0].payload).data.Event.ID).not.toBe(delivered);
    expect(await t.dataSource.getRepository(WebhookDelivery).findBy({ subscriptionId: webhook.ID })).toEqual([
      expect.objectContaining({ eventId: left[0].id, state: 'pending' }),
    ]);
    expect(await t.dataSource.getRepository(WebhookAttempt).countBy({ subscriptionId: webhook.ID })).toBe(0);
  });
});

describe('webhook targets at delivery time', () => {
  const { t, f } = useTestApp({ webhooks: { allowHttp: true, allowPrivateTargets: false, retryScheduleMs: [50] } });
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t.app.get(WebhookWorker).start();
  });
  afterAll(async () => {
    await t.app.get(WebhookWorker).stop();
    await receiver.close();
  });

  it('refuses a target that resolves to a loopback address, whatever was allowed when it was created', async () => {
    const tenant = await f.tenant();
    const admin = await f.user(tenant.id, { admin: true });
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(admin);
    // As if created while private targets were allowed, or through a name that resolved elsewhere then.
    const subscription = await t.dataSource.getRepository(WebhookSubscription).save({
      tenantId: tenant.id,
      url: receiver.url.replace('127.0.0.1', 'localhost'),
      eventTypes: null,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      enabled: true,
      disabledReason: null,
      createdAt: new Date(Date.now() - 1000),
      createdBy: null,
    });
    expect(
      (
        await t
          .http()
          .post(`/api/2.0/crm/contact/${contactId}/files`)
          .set(admin.auth)
          .send({ fileids: [fileId] })
      ).status,
    ).toBe(200);
    const attempts = () => t.dataSource.getRepository(WebhookAttempt).findBy({ subscriptionId: subscription.id });
    await expect.poll(async () => (await attempts()).length, { timeout: 10_000 }).toBe(2);
    expect(
      (await attempts()).every(
        (attempt) => attempt.status === null && !attempt.delivered && /not allowed|refused|private|loopback/i.test(attempt.error ?? ''),
      ),
    ).toBe(true);
    expect(receiver.received).toHaveLength(0);
  });
});
