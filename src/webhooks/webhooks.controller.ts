import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { AuthUser } from '../auth/auth-user.decorator.js';
import { ApiPaging } from '../common/http/api-paging.decorator.js';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator.js';
import { parsePage } from '../common/http/paging.js';
import { NoBody } from '../common/http/no-body.decorator.js';
import { ParseRecordIdPipe } from '../common/pipes/parse-record-id.pipe.js';
import { ID_SCHEMA } from '../common/validation/ids.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { CreateWebhookDto } from './dto/create-webhook.dto.js';
import { ReplayQueuedDto, ReplayWebhookDto } from './dto/replay-webhook.dto.js';
import { WebhookDeliveryDto } from './dto/webhook-delivery.dto.js';
import { WEBHOOK_EVENT_SCHEMAS } from './dto/webhook-event.dto.js';
import { WebhookDto, WebhookWithSecretDto } from './dto/webhook.dto.js';
import { WebhooksService, type WebhookManager } from './webhooks.service.js';

const NOT_ADMIN: [number, string] = [403, 'The caller is not an admin of the tenant.'];
const NO_WEBHOOK: [number, string] = [404, 'The tenant has no webhook with this id.'];

const managerOf = (caller: AuthenticatedUser): WebhookManager => ({
  tenantId: caller.tenantId,
  isAdmin: caller.isAdmin,
  userId: caller.userId,
});

@ApiTags('Webhooks')
// The delivery bodies are no answer of a route: listed here so that the document has their schemas.
@ApiExtraModels(...Object.values(WEBHOOK_EVENT_SCHEMAS))
@Authenticated()
@Controller('api/2.0/crm/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Subscribe a webhook (tenant admins)',
    description:
      "Events of the caller's tenant are POSTed to the URL, signed as Standard Webhooks specifies with the secret in this answer, which is shown only here.",
  })
  @ApiExtraModels(CreateWebhookDto)
  @ApiBody({
    schema: { $ref: getSchemaPath(CreateWebhookDto) },
    examples: {
      all: { summary: 'Every event type', value: { url: 'https://hooks.example.com/crm-files' } },
      some: {
        summary: 'Attachments and deletions',
        value: { url: 'https://hooks.example.com/crm-files', events: ['files.attached', 'file.deleted'] },
      },
    },
  })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiProblemResponses(400, 401, NOT_ADMIN, 413, 415)
  create(@AuthUser() caller: AuthenticatedUser, @Body() body: CreateWebhookDto): Promise<WebhookWithSecretDto> {
    return this.webhooks.create(managerOf(caller), body);
  }

  @Get()
  @ApiOperation({ summary: "The tenant's webhooks (tenant admins)", description: 'By ID; secrets are never listed.' })
  @ApiOkResponse({ type: [WebhookDto] })
  @ApiProblemResponses(401, NOT_ADMIN)
  list(@AuthUser() caller: AuthenticatedUser): Promise<WebhookDto[]> {
    return this.webhooks.list(managerOf(caller));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook (tenant admins)', description: 'Its pending deliveries and its log go with it.' })
  @ApiParam({ name: 'id', schema: ID_SCHEMA })
  @ApiOkResponse({ type: WebhookDto, description: 'The webhook as it was.' })
  @ApiProblemResponses(400, 401, NOT_ADMIN, NO_WEBHOOK)
  delete(@AuthUser() caller: AuthenticatedUser, @Param('id', ParseRecordIdPipe) id: number): Promise<WebhookDto> {
    return this.webhooks.delete(managerOf(caller), id);
  }

  @Post(':id/secret')
  @HttpCode(200)
  @NoBody()
  @ApiOperation({
    summary: "Rotate a webhook's secret (tenant admins)",
    description: 'The old secret stops at once: every delivery from now on, retries included, is signed with the new one.',
  })
  @ApiParam({ name: 'id', schema: ID_SCHEMA })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiProblemResponses(400, 401, NOT_ADMIN, NO_WEBHOOK)
  rotateSecret(@AuthUser() caller: AuthenticatedUser, @Param('id', ParseRecordIdPipe) id: number): Promise<WebhookWithSecretDto> {
    return this.webhooks.rotateSecret(managerOf(caller), id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: "A webhook's delivery log (tenant admins)",
    description: 'Attempts, newest first: the pending ones (At is when they are due) before those made. Paged.',
  })
  @ApiParam({ name: 'id', schema: ID_SCHEMA })
  @ApiPaging()
  @ApiOkResponse({
    type: [WebhookDeliveryDto],
    headers: { 'X-Total-Count': { description: 'All attempts in the log', schema: { type: 'integer' } } },
  })
  @ApiProblemResponses(400, 401, NOT_ADMIN, NO_WEBHOOK)
  async deliveries(
    @AuthUser() caller: AuthenticatedUser,
    @Param('id', ParseRecordIdPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookDeliveryDto[]> {
    const { items, total } = await this.webhooks.deliveryLog(managerOf(caller), id, parsePage(query));
    reply.header('X-Total-Count', String(total));
    return items;
  }

  @Post(':id/enable')
  @HttpCode(200)
  @NoBody()
  @ApiOperation({
    summary: 'Enable a disabled webhook (tenant admins)',
    description: 'Delivery resumes with the events held back while it was disabled, in their order.',
  })
  @ApiParam({ name: 'id', schema: ID_SCHEMA })
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblemResponses(400, 401, NOT_ADMIN, NO_WEBHOOK)
  enable(@AuthUser() caller: AuthenticatedUser, @Param('id', ParseRecordIdPipe) id: number): Promise<WebhookDto> {
    return this.webhooks.enable(managerOf(caller), id);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Deliver one event again (tenant admins)',
    description: 'With the same webhook-id, so receivers can tell a repeat. 409 while the webhook is disabled.',
  })
  @ApiParam({ name: 'id', schema: ID_SCHEMA })
  @ApiExtraModels(ReplayWebhookDto)
  @ApiBody({ schema: { $ref: getSchemaPath(ReplayWebhookDto) } })
  @ApiOkResponse({ type: ReplayQueuedDto })
  @ApiProblemResponses(
    400,
    401,
    NOT_ADMIN,
    [404, 'The tenant has no webhook with this id, or the event was never given to it.'],
    [409, 'The webhook is disabled; enable it first.'],
    413,
    415,
  )
  replay(
    @AuthUser() caller: AuthenticatedUser,
    @Param('id', ParseRecordIdPipe) id: number,
    @Body() body: ReplayWebhookDto,
  ): Promise<ReplayQueuedDto> {
    return this.webhooks.replay(managerOf(caller), id, body.eventId);
  }
}
