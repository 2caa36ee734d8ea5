import { ApiError } from '../common/errors/api-error.js';

/** The file storage (for the S3 driver, the bucket) does not answer: the instance is not ready. */
export class StorageUnavailableError extends ApiError {
  constructor() {
    super(
      503,
      'storage-unavailable',
      'Service Unavailable',
      'The file storage is not answering; try again shortly.',
      {},
      {
        'Retry-After': '5',
      },
    );
  }
}
