import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/**
 * One event on its way to one subscription: pending until a 2xx answer (delivered) or until
 * every attempt of the retry schedule has failed (failed). A replay adds another row.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('IDX_webhook_deliveries_due', ['state', 'nextAttemptAt'])
@Index('IDX_webhook_deliveries_order', ['subscriptionId', 'orderingKey', 'state', 'id'])
@Index('IDX_webhook_deliveries_event', ['eventId', 'subscriptionId'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'subscription_id', type: 'integer' })
  subscriptionId: number;

  @Column({ name: 'event_id', type: 'integer' })
  eventId: number;

  @Column({ name: 'ordering_key', type: 'varchar', length: 64 })
  orderingKey: string;

  @Column({ type: 'varchar', length: 16 })
  state: DeliveryState;

  /** Attempts made so far. */
  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt: Date;

  /** While a worker sends it: until when the claim holds (a worker that died lets it go then). */
  @Column({ name: 'lease_until', type: 'datetime', precision: 3, nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** A delivery not yet attempted, due at once: made by the fan-out of a new event, and by a replay. */
export function pendingDelivery(
  subscriptionId: number,
  event: { id: number; orderingKey: string },
  now: Date,
): Omit<WebhookDelivery, 'id'> {
  return {
    subscriptionId,
    eventId: event.id,
    orderingKey: event.orderingKey,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    createdAt: now,
  };
}
