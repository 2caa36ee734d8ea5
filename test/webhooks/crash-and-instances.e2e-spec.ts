import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhooksService } from '../../src/webhooks/webhooks.service.js';
import { fixtures } from '../support/fixtures.js';
import { ensureBuilt, scratch, ServiceProcess, type Scratch } from '../support/service-process.js';
import { databaseKind } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const WEBHOOK_ENV = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '100ms,200ms' };

/**
 * Real service processes: an event committed just before the process is killed is delivered by
 * the next start; two instances on one database deliver every event, none twice.
 */
describe('webhooks across crashes and instances', () => {
  let s: Scratch;
  let receiver: WebhookReceiver;
  let apiKey: string;
  let contactIds: number[];
  let fileIds: number[];
  let secret: string;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    receiver = await WebhookReceiver.start();
    s = await scratch(databaseKind());
    ({ apiKey, contactIds, fileIds, secret } = await s.withApp(async (app) => {
      const f = fixtures(app);
      const { tenantId } = await f.tenant();
      const user = await f.user(tenantId);
      const webhooks = app.get(WebhooksService);
      // The CLI's way in; the checks of the URL are those of the service that runs this code.
      const webhook = await webhooks.create({ tenantId, isAdmin: true, userId: null }, { url: 'https://receiver.invalid/' });
      await s.dataSource.query('UPDATE webhook_subscriptions SET url = ? WHERE id = ?', [receiver.url, webhook.ID]);
      return {
        apiKey: user.apiKey,
        contactIds: [await f.contact(tenantId), await f.contact(tenantId), await f.contact(tenantId)],
        fileIds: await f.files(user, 6),
        secret: webhook.Secret,
      };
    }));
  }, 120_000);
  // Stopped as an orchestrator stops them (SIGTERM): a delivery in flight records its outcome. A
  // kill -9 would leave its lease (a minute) holding back the record's later events in the next test.
  afterEach(async () => {
    for (const service of services.splice(0)) {
      service.killGroup('SIGTERM');
      await service.waitForExit(15_000);
    }
  });
  afterAll(async () => {
    await receiver?.close();
    await s?.drop();
  });

  const start = async (env: Record<string, string> = {}) => {
    const service = await ServiceProcess.start({ env: { DATABASE_URL: s.databaseUrl, FILES_DIR: s.filesDir, ...WEBHOOK_ENV, ...env } });
    services.push(service);
    return service;
  };
  const attach = (service: ServiceProcess, contactId: number, ids: number[]) =>
    fetch(`${service.url}/api/2.0/crm/contact/${contactId}/files`, {
      method: 'POST',
      headers: { Authorization: apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ fileids: ids }),
    });
  const outboxIds = async (): Promise<string[]> =>
    (await s.dataSource.query('SELECT public_id FROM webhook_events ORDER BY id')).map((row: { public_id: string }) => row.public_id);

  it('delivers an event committed just before the process was killed, once the service starts again', async () => {
    const doomed = await start({ CRM_FILES_TEST_EXIT_AT: 'after-attach-commit' });
    await expect(attach(doomed, contactIds[0], [fileIds[0]])).rejects.toThrow();
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const [committed] = await outboxIds();
    expect(committed).toMatch(/^evt_/);
    expect(receiver.received).toHaveLength(0);

    await start();
    const [delivered] = await receiver.waitFor(1);
    expect(delivered.event.id).toBe(committed);
    expect(delivered.event).toMatchObject({ type: 'files.attached', data: { Event: { Files: [{ ID: fileIds[0] }] } } });
    expect(new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>)).toEqual(delivered.event);
  });

  it.runIf(databaseKind() === 'mysql')(
    'two instances on one database deliver every event exactly once, each record in order',
    async () => {
      const before = receiver.received.length;
      const outboxBefore = (await outboxIds()).length;
      const instances = [await start(), await start()];
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, n) => attach(instances[n % 2], contactIds[n % 3], [fileIds[n % 6], fileIds[(n + 1) % 6]])),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(60).fill(200));
      const expected = (await outboxIds()).slice(outboxBefore);
      expect(expected).toHaveLength(60);
      await receiver.waitFor(before + 60, 30_000);
      // None twice: nothing more arrives.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const arrived = receiver.received.slice(before);
      expect(arrived).toHaveLength(60);
      expect(arrived.map((delivery) => delivery.event.id).sort()).toEqual(expected.sort());
      // Per contact, in the order the events became visible (were committed): the order of their fan-out.
      const fannedOut: string[] = (
        await s.dataSource.query('SELECT e.public_id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id ORDER BY d.id')
      ).map((row: { public_id: string }) => row.public_id);
      const contactOf = (id: string) =>
        (arrived.find((entry) => entry.event.id === id)?.event.data.Event as { Contact: { ID: number } } | undefined)?.Contact.ID;
      for (const contactId of contactIds) {
        const ofContact = (ids: string[]) => ids.filter((id) => contactOf(id) === contactId);
        expect(ofContact(arrived.map((delivery) => delivery.event.id))).toEqual(ofContact(fannedOut));
      }
    },
    90_000,
  );
});
