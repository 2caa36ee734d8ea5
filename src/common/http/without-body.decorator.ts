import { SetMetadata } from '@nestjs/common';

export const WITHOUT_BODY = 'crm-files:without-body';

/**
 * Marks a POST that takes no request body (an action on the resource in its path, such as
 * rotating a webhook's secret): RequestBodyInterceptor does not demand JSON of it, so a client
 * that sends no body, and no Content-Type, is answered. A body sent anyway is not read.
 */
export const WithoutBody = () => SetMetadata(WITHOUT_BODY, true);
