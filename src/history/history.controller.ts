import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth } from '../auth/auth.decorator.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { Caller } from '../auth/caller.decorator.js';
import { ApiPaging } from '../common/http/api-paging.decorator.js';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator.js';
import { ParseRecordIdPipe } from '../common/pipes/parse-record-id.pipe.js';
import { CategoryDto } from './dto/category.dto.js';
import { CreateHistoryEventDto } from './dto/create-history-event.dto.js';
import { RelationshipEventDto } from './dto/relationship-event.dto.js';
import { HISTORY_SORT_KEYS, parseHistoryFilter } from './history-filter.js';
import { HistoryService } from './history.service.js';

@ApiTags('History')
@Auth()
@Controller('api/2.0/crm/history')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('filter')
  @ApiOperation({
    summary: 'List history events',
    description: 'The events the caller may read, filtered, sorted and paged. Without sortBy: newest first. Ties: id descending.',
  })
  @ApiQuery({ name: 'entityType', required: false, enum: ['contact', 'opportunity', 'case'], description: 'With entityId.' })
  @ApiQuery({ name: 'entityId', required: false, schema: { type: 'integer', minimum: 1 }, description: 'With entityType.' })
  @ApiQuery({ name: 'categoryId', required: false, schema: { type: 'integer' } })
  @ApiQuery({ name: 'createBy', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'fromDate', required: false, schema: { type: 'string', format: 'date' }, description: 'YYYY-MM-DD, whole UTC day, inclusive' })
  @ApiQuery({ name: 'toDate', required: false, schema: { type: 'string', format: 'date' }, description: 'YYYY-MM-DD, whole UTC day, inclusive' })
  @ApiQuery({ name: 'sortBy', required: false, enum: HISTORY_SORT_KEYS })
  @ApiQuery({ name: 'sortOrder', required: false, enum: ['ascending', 'descending'] })
  @ApiPaging()
  @ApiOkResponse({ type: [RelationshipEventDto], headers: { 'X-Total-Count': { description: 'All matching events', schema: { type: 'integer' } } } })
  @ApiProblemResponses(400, 401, 404)
  async filter(
    @Caller() caller: AuthenticatedUser,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RelationshipEventDto[]> {
    const { items, total } = await this.history.filter(caller, parseHistoryFilter(query));
    reply.header('X-Total-Count', String(total));
    return items;
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a history event', description: 'On a contact (contactId) or an opportunity or case (entityType + entityId).' })
  @ApiBody({ type: CreateHistoryEventDto })
  @ApiOkResponse({ type: RelationshipEventDto })
  @ApiProblemResponses(400, 401, 404, 413, 415)
  create(@Caller() caller: AuthenticatedUser, @Body() body: CreateHistoryEventDto): Promise<RelationshipEventDto> {
    return this.history.create(caller, body);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a history event',
    description: 'Files linked to no other event and editable by the caller are deleted with it; the others are only unlinked.',
  })
  @ApiParam({ name: 'id', schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647 } })
  @ApiOkResponse({ type: RelationshipEventDto, description: 'The event as it was.' })
  @ApiProblemResponses(400, 401, 403, 404)
  delete(@Caller() caller: AuthenticatedUser, @Param('id', ParseRecordIdPipe) id: number): Promise<RelationshipEventDto> {
    return this.history.delete(caller, id);
  }

  @Get('category')
  @ApiOperation({ summary: "The tenant's history categories", description: 'By SortOrder, then ID. System categories are not listed.' })
  @ApiOkResponse({ type: [CategoryDto] })
  @ApiProblemResponses(401)
  categories(@Caller() caller: AuthenticatedUser): Promise<CategoryDto[]> {
    return this.history.categories(caller);
  }
}
