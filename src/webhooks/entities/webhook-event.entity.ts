import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { WebhookEventType } from '../webhook-event-types.js';

/**
 * The outbox: one row per event, written in the transaction of the change it describes, so a
 * change that rolls back leaves none and one that commits always has one. The delivery worker
 * fans each row out to the subscriptions of its tenant (`dispatched`), in id order.
 */
@Entity({ name: 'webhook_events' })
@Index('UQ_webhook_events_public_id', ['publicId'], { unique: true })
@Index('IDX_webhook_events_dispatched', ['dispatched', 'id'])
export class WebhookEvent {
  @PrimaryGeneratedColumn()
  id: number;

  /** `evt_…`: the event's id in the delivery body and the `webhook-id` header. */
  @Column({ name: 'public_id', type: 'varchar', length: 40 })
  publicId: string;

  @Column({ name: 'tenant_id', type: 'integer' })
  tenantId: number;

  @Column({ type: 'varchar', length: 32 })
  type: WebhookEventType;

  /** Events with the same key (one record, or one unattached file) are delivered in commit order. */
  @Column({ name: 'ordering_key', type: 'varchar', length: 64 })
  orderingKey: string;

  /** The delivery body, exactly as it is sent and signed. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'boolean' })
  dispatched: boolean;
}
