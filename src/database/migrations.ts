import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema.js';
import { FileIds1764576000000 } from './migrations/1764576000000-file-ids.js';
import { EventFilesRecord1764590400000 } from './migrations/1764590400000-event-files-record.js';
import { IdempotencyKeys1764835200000 } from './migrations/1764835200000-idempotency-keys.js';
import { Webhooks1765065600000 } from './migrations/1765065600000-webhooks.js';

/** In order. Listed as classes, not a glob, so the same list works from src/ (tests) and dist/. */
export const MIGRATIONS = [
  InitialSchema1764230400000,
  FileIds1764576000000,
  EventFilesRecord1764590400000,
  IdempotencyKeys1764835200000,
  Webhooks1765065600000,
];
