import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9_-]{1,36}$/;

export class ReplayWebhookDto {
  @ApiProperty({
    pattern: EVENT_ID_PATTERN.source,
    description: 'The id of an event delivered (or not) to this webhook.',
    example: 'evt_3q2-7hV0mKx9sB1cYtQ2ZA',
  })
  @IsString()
  @Matches(EVENT_ID_PATTERN, { message: 'eventId must be an event id such as evt_3q2-7hV0mKx9sB1cYtQ2ZA' })
  eventId: string;
}

export class ReplayQueuedDto {
  @ApiProperty({ enum: [true], description: 'The event is queued for delivery again, with the same webhook-id.' })
  queued: true;
}
