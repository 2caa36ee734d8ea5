import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ISO_UTC } from '../support/constants.js';
import { postText, uploadPath, uploadRaw } from '../support/upload.js';
import { useWebhookDelivery } from '../support/webhook-delivery.js';
import { type ReceivedWebhook } from '../support/webhook-receiver.js';

/**
 * Webhooks end to end: changes made through the API arrive at a real HTTP hooks.receiver on loopback,
 * signed as Standard Webhooks specifies, verified with its published library, and carrying the
 * objects the API answered.
 */
describe('webhook delivery', () => {
  const hooks = useWebhookDelivery([50, 100]);
  const { t, f } = hooks;

  /** A tenant with an admin and a member, a contact, and a subscription of the hooks.receiver. */
  async function scene(events?: string[]) {
    const tenant = await f.tenant();
    const admin = await f.user(tenant.id, { admin: true });
    const member = await f.user(tenant.id, { name: 'Webhook Member' });
    const contactId = await f.contact(tenant.id);
    const created = await t
      .http()
      .post('/api/2.0/crm/webhooks')
      .set(admin.auth)
      .send(events ? { url: hooks.receiver.url, events } : { url: hooks.receiver.url });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return { tenant, admin, member, contactId, webhook: created.body as { ID: number; Secret: string } };
  }

  const verified = (secret: string, delivery: ReceivedWebhook) =>
    new Webhook(secret).verify(delivery.body, {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    });

  it('delivers every kind of change once, signed, with the objects the API answered', async () => {
    const { tenant, member, contactId, webhook } = await scene();
    const api = t.http();
    const uploaded = await uploadRaw(t, member.apiKey, uploadPath('contact', contactId), 'draft', {
      'Content-Type': 'text/plain',
      'Content-Disposition': 'attachment; filename="draft.txt"',
    });
    expect(uploaded.status).toBe(200);
    const attached = await api
      .post(`/api/2.0/crm/contact/${contactId}/files`)
      .set(member.auth)
      .send({ fileids: [uploaded.body.ID] });
    expect(attached.status).toBe(200);
    const text = await postText(t, member.apiKey, 'contact', contactId, { title: 'Minutes', content: 'We agreed.' });
    expect(text.status).toBe(200);
    const note = await api.post('/api/2.0/crm/history').set(member.auth).send({ content: 'Called', categoryId: -1, contactId });
    expect(note.status).toBe(200);
    const deletedEvent = await api.delete(`/api/2.0/crm/history/${attached.body.ID}`).set(member.auth);
    expect(deletedEvent.status).toBe(200);
    const deletedFile = await api.delete(`/api/2.0/crm/files/${text.body.ID}`).set(member.auth);
    expect(deletedFile.status).toBe(200);

    const deliveries = await hooks.receiver.waitFor(8);
    for (const delivery of deliveries) {
      expect(verified(webhook.Secret, delivery)).toEqual(delivery.event);
      expect(delivery.headers['webhook-id']).toBe(delivery.event.id);
      expect(delivery.event).toMatchObject({ tenantId: tenant.id, actor: { Id: member.id, DisplayName: 'Webhook Member' } });
      expect(delivery.event.timestamp).toMatch(ISO_UTC);
      expect(delivery.event.id).toMatch(/^evt_[A-Za-z0-9_-]+$/);
    }
    expect(new Set(deliveries.map((delivery) => delivery.event.id)).size).toBe(8);
    const ofType = (type: string) => deliveries.filter((delivery) => delivery.event.type === type).map((delivery) => delivery.event.data);
    expect(ofType('file.uploaded')).toEqual(
      expect.arrayContaining([
        { File: uploaded.body, Record: null },
        { File: text.body, Record: { Type: 'contact', ID: contactId } },
      ]),
    );
    expect(ofType('files.attached')).toHaveLength(2);
    expect(ofType('files.attached')).toContainEqual({ Event: attached.body });
    expect(ofType('files.attached')).toContainEqual({ Event: expect.objectContaining({ Files: [text.body] }) });
    expect(ofType('history.created')).toEqual([{ Event: note.body }]);
    expect(ofType('history.deleted')).toEqual([{ Event: deletedEvent.body, DeletedFileIds: [uploaded.body.ID] }]);
    expect(ofType('file.deleted')).toEqual(expect.arrayContaining([{ File: uploaded.body }, { File: deletedFile.body }]));
    expect(ofType('file.deleted')).toHaveLength(2);
  });
});
