import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength, ValidateIf } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-event-types.js';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export class CreateWebhookDto {
  @ApiProperty({
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description:
      'Where events are POSTed: https, and not a loopback, private, link-local or metadata address (unless the service is configured to allow them).',
    example: 'https://hooks.example.com/crm-files',
  })
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
    minItems: 1,
    maxItems: 100,
    description: 'The event types to deliver; omitted: every type. Repeats count once.',
    example: ['files.attached', 'file.deleted'],
  })
  @ValidateIf((body: CreateWebhookDto) => body.events !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each value in events must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events?: WebhookEventType[];
}
