import type { FileDto } from '../../files/dto/file.dto.js';
import type { RelationshipEventDto } from '../../history/dto/relationship-event.dto.js';
import { recordKey, type RecordRef } from '../../records/record-ref.js';
import type { WebhookEventType } from '../webhook-event-types.js';

/** What a change publishes: the type, the `data` of the delivery body, and the key that orders it. */
export interface WebhookEventData {
  type: WebhookEventType;
  /** Events with the same key are delivered in commit order: one record, or one file attached to none. */
  orderingKey: string;
  data: Record<string, unknown>;
}

/** The record of an event as its `data` names it: `{"Type": "contact", "ID": 5}`. */
export interface WebhookRecordRef {
  Type: RecordRef['type'];
  ID: number;
}

function fileKey(fileId: number): string {
  return `file:${fileId}`;
}

/** An upload or a text file; `record` when it was attached in the same request. */
export function fileUploaded(file: FileDto, record: RecordRef | null): WebhookEventData {
  return {
    type: 'file.uploaded',
    orderingKey: record ? recordKey(record) : fileKey(file.ID),
    data: { File: file, Record: record ? { Type: record.type, ID: record.id } : null },
  };
}

/** An attach, an upload with attach=true, or a text file: the "Files are uploaded" event. */
export function filesAttached(event: RelationshipEventDto, record: RecordRef): WebhookEventData {
  return { type: 'files.attached', orderingKey: recordKey(record), data: { Event: event } };
}

export function historyCreated(event: RelationshipEventDto, record: RecordRef): WebhookEventData {
  return { type: 'history.created', orderingKey: recordKey(record), data: { Event: event } };
}

export function historyDeleted(event: RelationshipEventDto, record: RecordRef, deletedFileIds: number[]): WebhookEventData {
  return { type: 'history.deleted', orderingKey: recordKey(record), data: { Event: event, DeletedFileIds: deletedFileIds } };
}

/**
 * A file deleted by DELETE /files/{id} (ordered with the file's other events), or by the delete
 * of a history event (`record`: ordered after that event's `history.deleted`).
 */
export function fileDeleted(file: FileDto, record: RecordRef | null = null): WebhookEventData {
  return { type: 'file.deleted', orderingKey: record ? recordKey(record) : fileKey(file.ID), data: { File: file } };
}
