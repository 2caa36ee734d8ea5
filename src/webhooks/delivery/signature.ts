import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com): the secret is "whsec_" + base64 of the key.
const SECRET_PREFIX = 'whsec_';

/** A new subscription secret: 32 random bytes, the HMAC-SHA256 block's worth of key. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of "id.timestamp.body" under the secret's key. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error(`A webhook secret starts with "${SECRET_PREFIX}"`);
  if (!Number.isSafeInteger(timestampSeconds)) throw new Error(`A webhook timestamp is whole Unix seconds, got ${timestampSeconds}`);
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${signature}`;
}

// A type, not an interface, so that it can be passed where a Record<string, string> is expected.
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'content-type': 'application/json';
  'user-agent': string;
};

/** The headers of one delivery attempt of `body` (the event JSON exactly as sent), signed with `secret` at `timestampSeconds`. */
export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): WebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, id, timestampSeconds, body),
    'content-type': 'application/json',
    'user-agent': 'crm-files-webhooks/1',
  };
}
