import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-event-types.js';

/** A webhook subscription as listed: never its secret. */
export class WebhookDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  ID: number;

  @ApiProperty({ example: 'https://hooks.example.com/crm-files' })
  Url: string;

  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] }, example: ['files.attached'] })
  Events: WebhookEventType[];

  @ApiProperty({ description: 'False once an event failed every attempt, until it is enabled again.' })
  Enabled: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Why it was disabled; null while enabled.', example: null })
  DisabledReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-27T09:12:27.000Z' })
  Created: string;
}

/** The answer that creates or rotates the secret: the only time it is shown. */
export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({
    pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
    description: 'The signing secret (Standard Webhooks). Shown only in this answer: keep it.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  Secret: string;
}
