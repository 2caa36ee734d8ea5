/** What subscribers may ask for, in the order the documentation lists them. */
export const WEBHOOK_EVENT_TYPES = ['file.uploaded', 'files.attached', 'history.created', 'history.deleted', 'file.deleted'] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(value);
}
