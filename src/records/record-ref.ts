import type { RecordType } from './entities/record-type.js';

/** A CRM record named by a request: `{entityType}/{entityid}`. */
export interface RecordRef {
  type: RecordType;
  id: number;
}
