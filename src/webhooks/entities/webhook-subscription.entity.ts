import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { WebhookEventType } from '../webhook-event-types.js';

/** A tenant's webhook: where its events go, which of them, and with what secret they are signed. */
@Entity({ name: 'webhook_subscriptions' })
@Index('IDX_webhook_subscriptions_tenant', ['tenantId'])
export class WebhookSubscription {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** Comma-separated event types; null: every type, including those added later. */
  @Column({ name: 'event_types', type: 'varchar', length: 255, nullable: true })
  eventTypes: string | null;

  /**
   * `whsec_<base64>`. Kept as is, not hashed: every delivery is signed with it (HMAC needs the
   * key itself). It leaves the service only in the answers that create or rotate it.
   */
  @Column({ type: 'varchar', length: 100 })
  secret: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'disabled_reason', type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** The admin who created it; null when created by the CLI. */
  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy: string | null;
}

export function subscribedTypes(subscription: Pick<WebhookSubscription, 'eventTypes'>): WebhookEventType[] | null {
  return subscription.eventTypes === null ? null : (subscription.eventTypes.split(',') as WebhookEventType[]);
}
