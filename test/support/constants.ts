import { testingOnS3 } from './s3-test-storage.js';

/** A timestamp as the API writes it: UTC with milliseconds. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The largest id a path or body may carry (a signed 32-bit integer). */
export const MAX_ID = 2_147_483_647;

/** An id no test creates: the id space is shared by all tenants and all test files. */
export const NO_SUCH_ID = MAX_ID;

/** What every storage key looks like: tenant id, (on local disk) a three-digit shard, the file id. Nothing else. */
export const STORAGE_KEY = testingOnS3() ? /^\d+\/\d+$/ : /^\d+\/\d{3}\/\d+$/;
