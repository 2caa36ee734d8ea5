import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { FileDto } from '../../files/dto/file.dto.js';
import { RelationshipEventDto } from '../../history/dto/relationship-event.dto.js';
import { RECORD_TYPES, type RecordType } from '../../records/entities/record-type.js';
import { EmployeeDto } from '../../users/dto/employee.dto.js';
import type { WebhookEventType } from '../webhook-event-types.js';
import { EVENT_ID_PATTERN } from './replay-webhook.dto.js';

/*
 * The delivery bodies, one schema per event type, for the OpenAPI document: consumers generate
 * their types from them. OpenAPI 3.0 has no `webhooks` section, so they are components (listed
 * with @ApiExtraModels on the webhooks controller), and `WebhookEvent` (openapi-document.ts) is
 * their union, discriminated by `type`. The objects inside are the API's own response classes,
 * so an event cannot drift from what the API answers. What is sent is built in
 * outbox/webhook-event-payloads.ts; test/webhooks/event-schemas.e2e-spec.ts holds the two together.
 */

/** The record an uploaded file was attached to in the same request. */
@ApiSchema({ name: 'WebhookEventRecord' })
export class WebhookEventRecordDto {
  @ApiProperty({ enum: [...RECORD_TYPES], example: 'contact' })
  Type: RecordType;

  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  ID: number;
}

@ApiSchema({ name: 'WebhookEventFileUploadedData' })
export class WebhookEventFileUploadedDataDto {
  @ApiProperty({ type: FileDto })
  File: FileDto;

  @ApiProperty({
    type: WebhookEventRecordDto,
    nullable: true,
    description: 'The record the file was attached to in the same request (upload with attach=true, text file); null otherwise.',
  })
  Record: WebhookEventRecordDto | null;
}

@ApiSchema({ name: 'WebhookEventRelationshipEventData' })
export class WebhookEventRelationshipEventDataDto {
  @ApiProperty({ type: RelationshipEventDto })
  Event: RelationshipEventDto;
}

@ApiSchema({ name: 'WebhookEventHistoryDeletedData' })
export class WebhookEventHistoryDeletedDataDto {
  @ApiProperty({ type: RelationshipEventDto, description: 'The event as it was.' })
  Event: RelationshipEventDto;

  @ApiProperty({
    type: 'array',
    items: { type: 'integer', format: 'int32' },
    description: 'The files deleted with the event (linked to no other event, and editable by the actor); each also has its file.deleted.',
    example: [2],
  })
  DeletedFileIds: number[];
}

@ApiSchema({ name: 'WebhookEventFileDeletedData' })
export class WebhookEventFileDeletedDataDto {
  @ApiProperty({ type: FileDto, description: 'The file as it was.' })
  File: FileDto;
}

/** What every delivery body carries besides its `type` and `data`. */
abstract class WebhookEventEnvelopeDto {
  @ApiProperty({
    pattern: EVENT_ID_PATTERN.source,
    description: 'The event id, also sent as the webhook-id header; a replay sends the same id again.',
    example: 'evt_3q2-7hV0mKx9sB1cYtQ2ZA',
  })
  id: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the change committed.', example: '2026-11-27T09:12:27.000Z' })
  timestamp: string;

  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  tenantId: number;

  @ApiProperty({ type: EmployeeDto, description: 'Who made the change.' })
  actor: EmployeeDto;
}

/** A one-value enum: the discriminator of `WebhookEvent`. */
const typeProperty = (type: WebhookEventType) => ApiProperty({ enum: [type], example: type });

@ApiSchema({ name: 'WebhookEventFileUploaded', description: 'file.uploaded: an upload or a text file.' })
export class WebhookEventFileUploadedDto extends WebhookEventEnvelopeDto {
  @typeProperty('file.uploaded')
  type: 'file.uploaded';

  @ApiProperty({ type: WebhookEventFileUploadedDataDto })
  data: WebhookEventFileUploadedDataDto;
}

@ApiSchema({ name: 'WebhookEventFilesAttached', description: 'files.attached: an attach, an upload with attach=true, or a text file.' })
export class WebhookEventFilesAttachedDto extends WebhookEventEnvelopeDto {
  @typeProperty('files.attached')
  type: 'files.attached';

  @ApiProperty({ type: WebhookEventRelationshipEventDataDto })
  data: WebhookEventRelationshipEventDataDto;
}

@ApiSchema({ name: 'WebhookEventHistoryCreated', description: 'history.created: POST /history.' })
export class WebhookEventHistoryCreatedDto extends WebhookEventEnvelopeDto {
  @typeProperty('history.created')
  type: 'history.created';

  @ApiProperty({ type: WebhookEventRelationshipEventDataDto })
  data: WebhookEventRelationshipEventDataDto;
}

@ApiSchema({ name: 'WebhookEventHistoryDeleted', description: 'history.deleted: DELETE /history/{id}.' })
export class WebhookEventHistoryDeletedDto extends WebhookEventEnvelopeDto {
  @typeProperty('history.deleted')
  type: 'history.deleted';

  @ApiProperty({ type: WebhookEventHistoryDeletedDataDto })
  data: WebhookEventHistoryDeletedDataDto;
}

@ApiSchema({
  name: 'WebhookEventFileDeleted',
  description: 'file.deleted: DELETE /files/{id}, and each file a history delete removes.',
})
export class WebhookEventFileDeletedDto extends WebhookEventEnvelopeDto {
  @typeProperty('file.deleted')
  type: 'file.deleted';

  @ApiProperty({ type: WebhookEventFileDeletedDataDto })
  data: WebhookEventFileDeletedDataDto;
}

/** Every delivery body, by its `type`: the members of the `WebhookEvent` union. */
export const WEBHOOK_EVENT_SCHEMAS = {
  'file.uploaded': WebhookEventFileUploadedDto,
  'files.attached': WebhookEventFilesAttachedDto,
  'history.created': WebhookEventHistoryCreatedDto,
  'history.deleted': WebhookEventHistoryDeletedDto,
  'file.deleted': WebhookEventFileDeletedDto,
} as const satisfies Record<WebhookEventType, abstract new () => unknown>;

/** The name of the union of every delivery body in the OpenAPI document. */
export const WEBHOOK_EVENT_SCHEMA_NAME = 'WebhookEvent';
