import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook, webhookHeaders } from './signature.js';

const body = JSON.stringify({ id: 'evt_1', type: 'file.uploaded', tenantId: 7, data: { File: { ID: 12, Title: 'Contrat été.pdf' } } });
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('generateWebhookSecret', () => {
  it('is whsec_ and the base64 of 32 random bytes, different each time', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('webhookHeaders', () => {
  it('are the Standard Webhooks headers, which the reference library verifies', () => {
    const secret = generateWebhookSecret();
    const timestamp = nowSeconds();
    const headers = webhookHeaders(secret, 'evt_1', timestamp, body);
    expect(headers).toEqual({
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      'content-type': 'application/json',
      'user-agent': 'crm-files-webhooks/1',
    });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('carry exactly the signature the reference library computes', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-03-10T12:00:00Z');
    expect(webhookHeaders(secret, 'evt_9', at.getTime() / 1000, body)['webhook-signature']).toBe(
      new Webhook(secret).sign('evt_9', at, body),
    );
  });

  it('fail verification when the body, id, timestamp or secret differ from what was signed', () => {
    const secret = generateWebhookSecret();
    const timestamp = nowSeconds();
    const headers = webhookHeaders(secret, 'evt_1', timestamp, body);
    const receiver = new Webhook(secret);
    expect(() => receiver.verify(body.replace('12', '13'), headers)).toThrow('No matching signature found');
    expect(() => receiver.verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow('No matching signature found');
    expect(() => receiver.verify(body, { ...headers, 'webhook-timestamp': String(timestamp - 1) })).toThrow('No matching signature found');
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow('No matching signature found');
    // After a rotation, a delivery signed with the old secret no longer passes.
    const rotated = generateWebhookSecret();
    expect(() => new Webhook(rotated).verify(body, headers)).toThrow('No matching signature found');
    expect(new Webhook(rotated).verify(body, webhookHeaders(rotated, 'evt_1', timestamp, body))).toEqual(JSON.parse(body));
  });

  it('refuse a secret without the whsec_ prefix and a timestamp that is not whole seconds', () => {
    expect(() => signWebhook('c2VjcmV0', 'evt_1', nowSeconds(), body)).toThrow('A webhook secret starts with "whsec_"');
    expect(() => signWebhook(generateWebhookSecret(), 'evt_1', Date.now() / 1000 + 0.5, body)).toThrow('whole Unix seconds');
  });
});
