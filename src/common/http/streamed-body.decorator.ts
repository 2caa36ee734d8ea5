import { SetMetadata } from '@nestjs/common';

export const STREAMED_BODY = 'crm-files:streamed-body';

/** Marks a route that reads its own (non-JSON) request body as a stream, e.g. uploads. */
export const StreamedBody = () => SetMetadata(STREAMED_BODY, true);
