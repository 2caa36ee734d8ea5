import type { EntityRecordType, RecordType } from './entities/record-type.js';

/** A CRM record named by a request: `{entityType}/{entityid}`. */
export interface RecordRef {
  type: RecordType;
  id: number;
}

/**
 * How a row names the record it belongs to: a contact (`contact_id`), or an opportunity or case
 * (`entity_type` + `entity_id`), never both. This file is the one place that rule is written;
 * history events store their record this way.
 */
export interface RecordColumns {
  contactId: number | null;
  entityType: EntityRecordType | null;
  entityId: number | null;
}

export function recordColumns(ref: RecordRef): RecordColumns {
  return ref.type === 'contact'
    ? { contactId: ref.id, entityType: null, entityId: null }
    : { contactId: null, entityType: ref.type, entityId: ref.id };
}

export function recordOfColumns(row: RecordColumns): RecordRef {
  if (row.contactId !== null) return { type: 'contact', id: row.contactId };
  if (row.entityType === null || row.entityId === null) throw new Error('A row names neither a contact nor an entity.');
  return { type: row.entityType, id: row.entityId };
}

/** The SQL form: rows of `alias` that belong to the record, with its named parameters. */
export function belongsToRecordSql(alias: string, ref: RecordRef): { sql: string; params: Record<string, unknown> } {
  return ref.type === 'contact'
    ? { sql: `${alias}.contact_id = :recordId`, params: { recordId: ref.id } }
    : { sql: `${alias}.entity_type = :recordType AND ${alias}.entity_id = :recordId`, params: { recordType: ref.type, recordId: ref.id } };
}

/** A key for maps of records of several types. */
export function recordKey(ref: RecordRef): string {
  return `${ref.type}:${ref.id}`;
}
