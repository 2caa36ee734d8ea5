import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paging.js';

/** Documents `startIndex` and `count`, as parsed by parsePage. */
export const ApiPaging = () =>
  applyDecorators(
    ApiQuery({ name: 'startIndex', required: false, schema: { type: 'integer', minimum: 0, default: 0 } }),
    ApiQuery({ name: 'count', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE } }),
  );
