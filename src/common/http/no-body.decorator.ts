import { SetMetadata } from '@nestjs/common';

export const NO_BODY = 'crm-files:no-body';

/**
 * Marks a POST that takes no request body (an action on a resource, such as rotating a secret):
 * RequestBodyInterceptor does not demand JSON, so `curl -X POST <url>` works as is. A body sent
 * anyway is not read.
 */
export const NoBody = () => SetMetadata(NO_BODY, true);
