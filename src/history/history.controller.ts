import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { AuthUser } from '../auth/auth-user.decorator.js';
import { ApiPaging } from '../common/http/api-paging.decorator.js';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator.js';
import { ID_SCHEMA } from '../common/validation/ids.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { ParseRecordIdPipe } from '../common/pipes/parse-record-id.pipe.js';
import { anyLetterCasePattern } from '../openapi/any-letter-case.js';
import { CategoryDto } from './dto/category.dto.js';
import { CreateHistoryEventDto } from './dto/create-history-event.dto.js';
import { RelationshipEventDto } from './dto/relationship-event.dto.js';
import { HISTORY_SORT_KEYS, parseHistoryFilter } from './history-filter.js';
import { HistoryService } from './history.service.js';

@ApiTags('History')
@Authenticated()
@Controller('api/2.0/crm/history')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('filter')
  @ApiOperation({
    summary: 'List history events',
    description: 'The events the caller may read, filtered, sorted and paged. Without sortBy: newest first. Ties: id descending.',
  })
  @ApiQuery({
    name: 'entityType',
    required: false,
    schema: { type: 'string', pattern: anyLetterCasePattern(['contact', 'opportunity', 'case']), example: 'contact' },
    description: '`contact`, `opportunity` or `case`, in any letter case; with entityId.',
  })
  @ApiQuery({ name: 'entityId', required: false, schema: ID_SCHEMA, description: 'With entityType.' })
  @ApiQuery({
    name: 'categoryId',
    required: false,
    schema: { type: 'integer', format: 'int32' },
    description: 'A tenant category, or a system one (-1, -2, -3).',
  })
  @ApiQuery({ name: 'createBy', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({
    name: 'fromDate',
    required: false,
    schema: { type: 'string', format: 'date' },
    description: 'YYYY-MM-DD, whole UTC day, inclusive',
  })
  @ApiQuery({
    name: 'toDate',
    required: false,
    schema: { type: 'string', format: 'date' },
    description: 'YYYY-MM-DD, whole UTC day, inclusive',
  })
  @ApiQuery({
    name: 'sortBy',
    required: false,
    enum: HISTORY_SORT_KEYS,
    description:
      "createBy sorts by the creator's display name, category by the category title; text sorts ignore the case of ASCII letters.",
  })
  @ApiQuery({
    name: 'sortOrder',
    required: false,
    enum: ['ascending', 'descending'],
    description: 'Ascending by default when sortBy is given; without sortBy the order is newest first.',
  })
  @ApiPaging()
  @ApiOkResponse({
    type: [RelationshipEventDto],
    headers: { 'X-Total-Count': { description: 'All matching events', schema: { type: 'integer' } } },
  })
  @ApiProblemResponses(400, 401, 404)
  async filter(
    @AuthUser() caller: AuthenticatedUser,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RelationshipEventDto[]> {
    const { items, total } = await this.history.filter(caller, parseHistoryFilter(query));
    reply.header('X-Total-Count', String(total));
    return items;
  }

  @Post()
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Add a history event',
    description: 'On a contact (contactId) or an opportunity or case (entityType + entityId).',
  })
  @ApiExtraModels(CreateHistoryEventDto)
  @ApiBody({
    schema: { $ref: getSchemaPath(CreateHistoryEventDto) },
    examples: {
      contact: {
        summary: 'A call on a contact (demo: contact 1, category 3 "Call")',
        value: { content: 'Called to confirm the order.', categoryId: 3, contactId: 1 },
      },
      opportunity: {
        summary: 'A note on an opportunity, with files and a date',
        value: {
          content: 'Sent the revised proposal.',
          categoryId: 1,
          entityType: 'opportunity',
          entityId: 1,
          created: '2026-11-27T09:12:27Z',
          fileId: [2, 3],
        },
      },
    },
  })
  @ApiOkResponse({ type: RelationshipEventDto })
  @ApiProblemResponses(400, 401, 404, 413, 415)
  create(@AuthUser() caller: AuthenticatedUser, @Body() body: CreateHistoryEventDto): Promise<RelationshipEventDto> {
    return this.history.create(caller, body);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a history event',
    description: 'Files linked to no other event and editable by the caller are deleted with it; the others are only unlinked.',
  })
  @ApiParam({ name: 'id', schema: ID_SCHEMA })
  @ApiOkResponse({ type: RelationshipEventDto, description: 'The event as it was.' })
  @ApiProblemResponses(400, 401, 403, 404)
  delete(@AuthUser() caller: AuthenticatedUser, @Param('id', ParseRecordIdPipe) id: number): Promise<RelationshipEventDto> {
    return this.history.delete(caller, id);
  }

  @Get('category')
  @ApiOperation({ summary: "The tenant's history categories", description: 'By SortOrder, then ID. System categories are not listed.' })
  @ApiOkResponse({ type: [CategoryDto] })
  @ApiProblemResponses(401)
  categories(@AuthUser() caller: AuthenticatedUser): Promise<CategoryDto[]> {
    return this.history.categories(caller);
  }
}
