import { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema.js';
import { EventFilesRecord1764590400000 } from './migrations/1764590400000-event-files-record.js';

/** In order. Listed as classes, not a glob, so the same list works from src/ (tests) and dist/. */
export const MIGRATIONS = [InitialSchema1764230400000, EventFilesRecord1764590400000];
