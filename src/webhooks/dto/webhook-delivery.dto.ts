import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-event-types.js';

export const DELIVERY_OUTCOMES = ['delivered', 'failed', 'pending'] as const;

/** One attempt of the delivery log: made (delivered or failed), or the next one, pending. */
export class WebhookDeliveryDto {
  @ApiProperty({ example: 'evt_3q2-7hV0mKx9sB1cYtQ2ZA' })
  EventId: string;

  @ApiProperty({ enum: [...WEBHOOK_EVENT_TYPES], example: 'files.attached' })
  Type: WebhookEventType;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, description: '1 for the first attempt of a delivery.', example: 1 })
  Attempt: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    description: "The receiver's HTTP status; null when it did not answer, or while pending.",
    example: 200,
  })
  Status: number | null;

  @ApiProperty({ enum: [...DELIVERY_OUTCOMES], description: 'pending: not yet made; At is when it is due.' })
  Outcome: (typeof DELIVERY_OUTCOMES)[number];

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-27T09:12:27.000Z' })
  At: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    description: 'How long the attempt took; null while pending.',
    example: 84,
  })
  DurationMs: number | null;
}
