import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { ApiError, ForbiddenError, InvalidRequestError, NotFoundError } from '../common/errors/api-error.js';
import type { Page } from '../common/http/paging.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Transactions } from '../database/transactions.js';
import { generateWebhookSecret } from './delivery/signature.js';
import { checkWebhookUrl } from './delivery/target-address.js';
import { WebhookTargetError } from './delivery/webhook-target.error.js';
import type { WebhookDeliveryDto } from './dto/webhook-delivery.dto.js';
import type { WebhookDto, WebhookWithSecretDto } from './dto/webhook.dto.js';
import { WebhookAttempt } from './entities/webhook-attempt.entity.js';
import { pendingDelivery, WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { WebhookEvent } from './entities/webhook-event.entity.js';
import { WebhookSubscription } from './entities/webhook-subscription.entity.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-types.js';
import { toAttemptDto, toPendingAttemptDto, toWebhookDto, toWebhookWithSecretDto } from './webhook.mapper.js';

/** Enough for every consumer a tenant has; each event is fanned out to all of them. */
export const MAX_WEBHOOKS_PER_TENANT = 25;

/** Who manages webhooks: a tenant admin of the API, or the CLI (which names the tenant). */
export interface WebhookManager {
  tenantId: number;
  isAdmin: boolean;
  /** The admin's user id; null for the CLI. */
  userId: string | null;
}

export class WebhookDisabledError extends ApiError {
  constructor(id: number) {
    super(409, 'webhook-disabled', 'Conflict', `Webhook ${id} is disabled; enable it before replaying events.`);
  }
}

export interface NewWebhook {
  url: string;
  /** Omitted: every type, including types added later. */
  events?: WebhookEventType[];
}

/**
 * The tenants' webhook subscriptions, their delivery logs and replays. Only tenant admins manage
 * them (403 for other users); a subscription of another tenant answers 404 like a missing one.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(WebhookSubscription) private readonly subscriptions: Repository<WebhookSubscription>,
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(WebhookAttempt) private readonly attempts: Repository<WebhookAttempt>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: Transactions,
  ) {}

  async create(manager: WebhookManager, input: NewWebhook): Promise<WebhookWithSecretDto> {
    assertAdmin(manager);
    const url = this.checkedUrl(input.url);
    const types = input.events === undefined ? null : WEBHOOK_EVENT_TYPES.filter((type) => input.events!.includes(type));
    const subscription = await this.transactions.run(async (transaction) => {
      const repository = transaction.getRepository(WebhookSubscription);
      if ((await repository.countBy({ tenantId: manager.tenantId })) >= MAX_WEBHOOKS_PER_TENANT) {
        throw new InvalidRequestError(`A tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one first.`);
      }
      const row = repository.create({
        tenantId: manager.tenantId,
        url: url.href,
        eventTypes: types === null ? null : types.join(','),
        secret: generateWebhookSecret(),
        enabled: true,
        disabledReason: null,
        createdAt: new Date(),
        createdBy: manager.userId,
      });
      await repository.insert(row);
      return row;
    });
    return toWebhookWithSecretDto(subscription);
  }

  async list(manager: WebhookManager): Promise<WebhookDto[]> {
    assertAdmin(manager);
    const rows = await this.subscriptions.find({ where: { tenantId: manager.tenantId }, order: { id: 'ASC' } });
    return rows.map(toWebhookDto);
  }

  /** Deletes the subscription with its pending deliveries and its log; answers it as it was. */
  async delete(manager: WebhookManager, id: number): Promise<WebhookDto> {
    const subscription = await this.find(manager, id);
    const result = await this.subscriptions.delete({ id, tenantId: manager.tenantId });
    // Of two concurrent deletes, only the one that removed the row answers 200.
    if (!result.affected) throw notFound(id);
    return toWebhookDto(subscription);
  }

  /** A new secret: every delivery from now on, retries included, is signed with it alone. */
  async rotateSecret(manager: WebhookManager, id: number): Promise<WebhookWithSecretDto> {
    const subscription = await this.find(manager, id);
    subscription.secret = generateWebhookSecret();
    await this.subscriptions.update({ id, tenantId: manager.tenantId }, { secret: subscription.secret });
    return toWebhookWithSecretDto(subscription);
  }

  /** Delivery resumes with the events held back while it was disabled, in their order. */
  async enable(manager: WebhookManager, id: number): Promise<WebhookDto> {
    const subscription = await this.find(manager, id);
    await this.subscriptions.update({ id, tenantId: manager.tenantId }, { enabled: true, disabledReason: null });
    return toWebhookDto({ ...subscription, enabled: true, disabledReason: null });
  }

  /**
   * The delivery log, a page of it: the pending attempts first (latest due first), then the
   * attempts made, newest first. A fixed number of queries whatever the page size.
   */
  async deliveryLog(manager: WebhookManager, id: number, page: Page): Promise<{ items: WebhookDeliveryDto[]; total: number }> {
    await this.find(manager, id);
    const [pendingTotal, madeTotal] = await Promise.all([
      this.deliveries.countBy({ subscriptionId: id, state: 'pending' }),
      this.attempts.countBy({ subscriptionId: id }),
    ]);
    const pending =
      page.startIndex < pendingTotal
        ? await this.deliveries.find({
            where: { subscriptionId: id, state: 'pending' },
            order: { nextAttemptAt: 'DESC', id: 'DESC' },
            skip: page.startIndex,
            take: page.count,
          })
        : [];
    const room = page.count - pending.length;
    const made =
      room > 0
        ? await this.attempts.find({
            where: { subscriptionId: id },
            order: { at: 'DESC', id: 'DESC' },
            skip: Math.max(0, page.startIndex - pendingTotal),
            take: room,
          })
        : [];
    const eventIds = [...new Set([...pending.map((delivery) => delivery.eventId), ...made.map((attempt) => attempt.eventId)])];
    const events = new Map(
      (eventIds.length === 0
        ? []
        : await this.events.find({ where: { id: In(eventIds) }, select: { id: true, publicId: true, type: true } })
      ).map((event) => [event.id, event]),
    );
    return {
      items: [
        ...pending.map((delivery) => toPendingAttemptDto(delivery, events.get(delivery.eventId)!)),
        ...made.map((attempt) => toAttemptDto(attempt, events.get(attempt.eventId)!)),
      ],
      total: pendingTotal + madeTotal,
    };
  }

  /**
   * Delivers an event to the subscription again, with the same `webhook-id`, after the events of
   * its record already queued. Only an event this subscription was given (delivered or not) can
   * be replayed; 409 while the subscription is disabled.
   */
  async replay(manager: WebhookManager, id: number, eventId: string): Promise<{ queued: true }> {
    const subscription = await this.find(manager, id);
    const event = await this.events.findOne({
      where: { publicId: eventId, tenantId: manager.tenantId },
      select: { id: true, orderingKey: true },
    });
    const given = event && (await this.deliveries.existsBy({ subscriptionId: id, eventId: event.id }));
    if (!event || !given) throw new NotFoundError(`Webhook ${id} was never given an event with id ${eventId}.`);
    if (!subscription.enabled) throw new WebhookDisabledError(id);
    await this.deliveries.insert(pendingDelivery(id, event, new Date()));
    return { queued: true };
  }

  /** The tenant a webhook belongs to, or null when there is none with this id: for the CLI, which may name only the id. */
  async tenantOf(id: number): Promise<number | null> {
    const subscription = await this.subscriptions.findOne({ where: { id }, select: { id: true, tenantId: true } });
    return subscription?.tenantId ?? null;
  }

  private async find(manager: WebhookManager, id: number): Promise<WebhookSubscription> {
    assertAdmin(manager);
    const subscription = await this.subscriptions.findOneBy({ id, tenantId: manager.tenantId });
    if (!subscription) throw notFound(id);
    return subscription;
  }

  private checkedUrl(raw: string): URL {
    try {
      return checkWebhookUrl(raw, this.config.webhooks);
    } catch (error) {
      if (!(error instanceof WebhookTargetError)) throw error;
      throw new InvalidRequestError(`The webhook URL is not allowed: ${error.message}`, [{ field: 'url', message: error.message }]);
    }
  }
}

function assertAdmin(manager: WebhookManager): void {
  if (!manager.isAdmin) throw new ForbiddenError('Only tenant admins manage webhooks.');
}

function notFound(id: number): NotFoundError {
  return new NotFoundError(`There is no webhook with id ${id}.`);
}
