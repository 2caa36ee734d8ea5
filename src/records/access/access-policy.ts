import type { AuthenticatedUser } from '../../auth/authenticated-user.js';
import { ShareType } from '../entities/share-type.js';

/**
 * The access rules (docs/contract.md, "Access rules"), in one place. Each rule exists twice: as a
 * function over loaded rows (for a single record and for CanEdit/CanDelete), and as an SQL
 * predicate (for filtering lists and batches in the database). Admins pass every check in
 * their tenant. Tenancy itself is not checked here: callers load rows of the caller's tenant.
 */

export type Caller = Pick<AuthenticatedUser, 'userId' | 'isAdmin'>;

export interface ContactAccessFacts {
  shareType: ShareType;
  /** User ids on the contact's access list. */
  accessList: readonly string[];
}

export interface EntityAccessFacts {
  createdBy: string;
  accessList: readonly string[];
}

export interface FileAccessFacts {
  createdBy: string;
  updatedBy: string;
}

export interface RecordPermissions {
  canRead: boolean;
  canEdit: boolean;
}

export function contactPermissions(caller: Caller, contact: ContactAccessFacts): RecordPermissions {
  if (caller.isAdmin) return { canRead: true, canEdit: true };
  const listed = contact.accessList.includes(caller.userId);
  return {
    canRead: listed || contact.shareType === ShareType.Read || contact.shareType === ShareType.ReadWrite,
    canEdit: listed || contact.shareType === ShareType.ReadWrite,
  };
}

/** Opportunities and cases: an access list, when not empty, makes the record private. */
export function entityPermissions(caller: Caller, entity: EntityAccessFacts): RecordPermissions {
  if (caller.isAdmin) return { canRead: true, canEdit: true };
  const open = entity.accessList.length === 0;
  const listed = entity.accessList.includes(caller.userId);
  return {
    canRead: open || listed,
    canEdit: open || listed || entity.createdBy === caller.userId,
  };
}

/** An event is readable with its record, and editable with it, or by its creator who can read it. */
export function eventPermissions(caller: Caller, event: { createdBy: string }, record: RecordPermissions): RecordPermissions {
  if (caller.isAdmin) return { canRead: true, canEdit: true };
  return {
    canRead: record.canRead,
    canEdit: record.canEdit || (record.canRead && event.createdBy === caller.userId),
  };
}

export function canEditFile(caller: Caller, file: FileAccessFacts): boolean {
  return caller.isAdmin || file.createdBy === caller.userId || file.updatedBy === caller.userId;
}

/** A fragment of SQL with its named parameters, for TypeORM's query builder. */
export interface SqlPredicate {
  sql: string;
  params: Record<string, unknown>;
}

const CALLER_PARAM = 'accessCallerId';

/**
 * True for rows of `history_events` (aliased `event`) that the caller may read: those whose
 * record the caller may read. The row names its record as records/record-ref.ts describes.
 */
export function readableEventSql(caller: Caller, event: string): SqlPredicate {
  if (caller.isAdmin) return { sql: '1 = 1', params: {} };
  const listed = (type: string, id: string, alias: string) =>
    `EXISTS (SELECT 1 FROM access_list_entries ${alias} WHERE ${alias}.record_type = ${type} AND ${alias}.record_id = ${id} AND ${alias}.user_id = :${CALLER_PARAM})`;
  const anyListed = (type: string, id: string, alias: string) =>
    `EXISTS (SELECT 1 FROM access_list_entries ${alias} WHERE ${alias}.record_type = ${type} AND ${alias}.record_id = ${id})`;
  const sql = `(
    (${event}.contact_id IS NOT NULL AND EXISTS (
      SELECT 1 FROM contacts ${event}_c WHERE ${event}_c.id = ${event}.contact_id
        AND (${event}_c.share_type <> ${ShareType.None} OR ${listed(`'contact'`, `${event}_c.id`, `${event}_ca`)})))
    OR (${event}.entity_type IS NOT NULL AND (
      NOT ${anyListed(`${event}.entity_type`, `${event}.entity_id`, `${event}_ea`)}
      OR ${listed(`${event}.entity_type`, `${event}.entity_id`, `${event}_el`)}))
  )`;
  return { sql, params: { [CALLER_PARAM]: caller.userId } };
}

/** True for rows of `files` (aliased `file`) that the caller may read: its creator, its last updater, or through any event the caller can read. */
export function readableFileSql(caller: Caller, file: string): SqlPredicate {
  if (caller.isAdmin) return { sql: '1 = 1', params: {} };
  const event = `${file}_ev`;
  const readableEvent = readableEventSql(caller, event);
  const sql = `(
    ${file}.created_by = :${CALLER_PARAM} OR ${file}.updated_by = :${CALLER_PARAM}
    OR EXISTS (SELECT 1 FROM event_files ${file}_l INNER JOIN history_events ${event} ON ${event}.id = ${file}_l.event_id
      WHERE ${file}_l.file_id = ${file}.id AND ${readableEvent.sql})
  )`;
  return { sql, params: { ...readableEvent.params, [CALLER_PARAM]: caller.userId } };
}
