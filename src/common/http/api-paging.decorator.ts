import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paging.js';

/** Documents `startIndex` and `count`, as parsed by parsePage. */
export const ApiPaging = () =>
  applyDecorators(
    ApiQuery({
      name: 'startIndex',
      required: false,
      description: 'How many matching items to skip.',
      schema: { type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    }),
    ApiQuery({
      name: 'count',
      required: false,
      description: 'The most items to answer; X-Total-Count has the number of all matching items.',
      schema: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    }),
  );
