import type { WebhookDeliveryDto } from './dto/webhook-delivery.dto.js';
import type { WebhookDto, WebhookWithSecretDto } from './dto/webhook.dto.js';
import type { WebhookAttempt } from './entities/webhook-attempt.entity.js';
import type { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import type { WebhookEvent } from './entities/webhook-event.entity.js';
import { subscribedTypes, type WebhookSubscription } from './entities/webhook-subscription.entity.js';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types.js';

export function toWebhookDto(subscription: WebhookSubscription): WebhookDto {
  return {
    ID: subscription.id,
    Url: subscription.url,
    Events: subscribedTypes(subscription) ?? [...WEBHOOK_EVENT_TYPES],
    Enabled: subscription.enabled,
    DisabledReason: subscription.disabledReason,
    Created: subscription.createdAt.toISOString(),
  };
}

export function toWebhookWithSecretDto(subscription: WebhookSubscription): WebhookWithSecretDto {
  return { ...toWebhookDto(subscription), Secret: subscription.secret };
}

export function toAttemptDto(attempt: WebhookAttempt, event: Pick<WebhookEvent, 'publicId' | 'type'>): WebhookDeliveryDto {
  return {
    EventId: event.publicId,
    Type: event.type,
    Attempt: attempt.attempt,
    Status: attempt.status,
    Outcome: attempt.delivered ? 'delivered' : 'failed',
    At: attempt.at.toISOString(),
    DurationMs: attempt.durationMs,
  };
}

/** The next attempt of a delivery still under way. */
export function toPendingAttemptDto(delivery: WebhookDelivery, event: Pick<WebhookEvent, 'publicId' | 'type'>): WebhookDeliveryDto {
  return {
    EventId: event.publicId,
    Type: event.type,
    Attempt: delivery.attempts + 1,
    Status: null,
    Outcome: 'pending',
    At: delivery.nextAttemptAt.toISOString(),
    DurationMs: null,
  };
}
