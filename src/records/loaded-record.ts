import type { RecordPermissions } from './access/access-policy.js';
import type { RecordRef } from './record-ref.js';

/** A record the caller is known to be able to read, with what the caller may do to it. */
export interface LoadedRecord extends RecordRef {
  tenantId: number;
  permissions: RecordPermissions;
}
