import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One attempt to deliver an event: the delivery log a tenant admin reads. */
@Entity({ name: 'webhook_attempts' })
@Index('IDX_webhook_attempts_subscription', ['subscriptionId', 'at'])
export class WebhookAttempt {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'delivery_id', type: 'integer' })
  deliveryId: number;

  @Column({ name: 'subscription_id', type: 'integer' })
  subscriptionId: number;

  @Column({ name: 'event_id', type: 'integer' })
  eventId: number;

  /** 1 for the first attempt of a delivery. */
  @Column({ type: 'integer' })
  attempt: number;

  /** The receiver's HTTP status; null when there was no answer (refused, timed out, unreachable). */
  @Column({ type: 'integer', nullable: true })
  status: number | null;

  @Column({ type: 'boolean' })
  delivered: boolean;

  /** Why it failed, as the tenant admin may read it (never a stack). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;
}
