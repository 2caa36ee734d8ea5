import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { In, type EntityManager, type Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../database/transactions.js';
import { ShutdownState } from '../../lifecycle/shutdown-state.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { retryDelayMs } from '../delivery/retry-schedule.js';
import { webhookHeaders } from '../delivery/signature.js';
import { sendWebhook, type DeliveryResult } from '../delivery/webhook-sender.js';
import { WebhookAttempt } from '../entities/webhook-attempt.entity.js';
import { pendingDelivery, WebhookDelivery } from '../entities/webhook-delivery.entity.js';
import { WebhookEvent } from '../entities/webhook-event.entity.js';
import { subscribedTypes, WebhookSubscription } from '../entities/webhook-subscription.entity.js';

/** How often an idle worker looks for new events and due deliveries. */
const POLL_INTERVAL_MS = 250;
/** After a round failed (the database away): wait this long, so an outage logs a line every few seconds, not four a second. */
const AFTER_FAILURE_MS = 5_000;
/** Events fanned out to deliveries per transaction. */
const DISPATCH_BATCH = 200;
/** Deliveries in flight in one worker, and to one subscription: a slow receiver holds up only its own slots. */
const MAX_IN_FLIGHT = 16;
const MAX_IN_FLIGHT_PER_SUBSCRIPTION = 4;
/** A claimed delivery stays with its worker this long: past the 10 s send timeout, so only a dead worker loses it. */
const LEASE_MS = 60_000;
const SEND_TIMEOUT_MS = 10_000;
/** On shutdown, how long deliveries in flight may take to record their outcome. */
const SHUTDOWN_WAIT_MS = 2_000;
/** Events (with their deliveries and log) are kept this long once nothing is pending for them: replays reach back 30 days. */
export const EVENT_RETENTION_MS = 30 * 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 3_600_000;

interface ClaimedDelivery {
  delivery: WebhookDelivery;
  event: WebhookEvent;
}

/**
 * Delivers the outbox to the subscriptions, in every instance of the service:
 *
 * 1. **Fan-out.** New events (`dispatched` false), oldest first, become one pending delivery per
 *    subscription of their tenant that takes their type and existed when they happened. The rows
 *    are locked while this runs, so the fan-outs of several instances follow each other and a
 *    record's deliveries are created in the order its events became visible, which is their
 *    commit order.
 * 2. **Claim.** Due deliveries of enabled subscriptions are claimed with `FOR UPDATE SKIP LOCKED`
 *    (MySQL/MariaDB; SQLite has one worker) and leased for LEASE_MS: another instance skips them,
 *    and takes them over only if this one dies. A delivery waits while an earlier delivery of
 *    the same record (ordering key) to the same subscription is pending: per record, events
 *    arrive in commit order.
 * 3. **Send** outside any transaction, signed with the secret current at that moment, and record
 *    the attempt: delivered, or retried after the next delay of WEBHOOK_RETRY_SCHEDULE, or, once
 *    the schedule is exhausted, failed, and the subscription disabled.
 *
 * Worker transactions run at READ COMMITTED on MySQL: no gap locks, so the outbox INSERTs of API
 * requests never wait for the worker.
 */
@Injectable()
export class WebhookWorker implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private ticking: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightBySubscription = new Map<number, number>();
  private lastPrune = 0;

  constructor(
    @InjectRepository(WebhookSubscription) private readonly subscriptions: Repository<WebhookSubscription>,
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly metrics: MetricsService,
    private readonly shutdown: ShutdownState,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await Promise.race([Promise.allSettled([...this.inFlight]), sleep(SHUTDOWN_WAIT_MS)]);
  }

  /** Before the database pool closes (on application shutdown): deliveries in flight record their outcome. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** One round: fan out new events, then claim and start what is due. Exposed for tests. */
  async runOnce(): Promise<{ dispatched: number; started: number }> {
    if (Date.now() - this.lastPrune >= PRUNE_INTERVAL_MS) {
      this.lastPrune = Date.now();
      await this.prune(new Date(Date.now() - EVENT_RETENTION_MS));
    }
    const dispatched = await this.dispatch();
    const started = await this.deliverDue();
    return { dispatched, started };
  }

  /** Resolves once every delivery started so far has recorded its outcome. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let next = POLL_INTERVAL_MS;
    try {
      if (!this.shutdown.draining) {
        const { dispatched, started } = await this.runOnce();
        if (dispatched === DISPATCH_BATCH || started > 0) next = 0;
      }
    } catch (error) {
      // The database may be away for a moment; the outbox keeps everything until it is back.
      this.logger.warn(`Webhook delivery round failed: ${(error as Error).message}`);
      next = AFTER_FAILURE_MS;
    } finally {
      this.ticking = null;
      this.schedule(next);
    }
  }

  private get isMysql(): boolean {
    return this.config.database.kind === 'mysql';
  }

  /** At READ COMMITTED on MySQL (no gap locks); SQLite's write transactions are serial anyway. */
  private async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.transactions.run(work, { readCommitted: true });
  }

  /**
   * Removes events older than `before` that are fanned out and have no pending delivery, with
   * their deliveries and log (by foreign key). Every instance may run it: deleting is idempotent.
   */
  async prune(before: Date): Promise<number> {
    const result = await this.events
      .createQueryBuilder()
      .delete()
      .where('created_at < :before AND dispatched = :yes', { before, yes: true })
      .andWhere("id NOT IN (SELECT pending.event_id FROM webhook_deliveries pending WHERE pending.state = 'pending')")
      .execute();
    return result.affected ?? 0;
  }

  private async dispatch(): Promise<number> {
    return this.transaction(async (manager) => {
      let query = manager
        .createQueryBuilder(WebhookEvent, 'event')
        .select(['event.id', 'event.tenantId', 'event.type', 'event.orderingKey', 'event.createdAt'])
        .where('event.dispatched = :no', { no: false })
        .orderBy('event.id', 'ASC')
        .limit(DISPATCH_BATCH);
      // Waits for another instance's fan-out instead of skipping: skipping would let a later
      // event of a record overtake an earlier one.
      if (this.isMysql) query = query.setLock('pessimistic_write');
      const events = await query.getMany();
      if (events.length === 0) return 0;
      const tenantIds = [...new Set(events.map((event) => event.tenantId))];
      const subscriptions = await manager.find(WebhookSubscription, {
        where: { tenantId: In(tenantIds) },
        select: { id: true, tenantId: true, eventTypes: true, createdAt: true },
      });
      const now = new Date();
      const deliveries = events.flatMap((event) =>
        subscriptions
          .filter((subscription) => subscription.tenantId === event.tenantId && subscription.createdAt <= event.createdAt)
          .filter((subscription) => subscribedTypes(subscription)?.includes(event.type) ?? true)
          .map((subscription) => manager.create(WebhookDelivery, pendingDelivery(subscription.id, event, now))),
      );
      for (let at = 0; at < deliveries.length; at += 500) await manager.insert(WebhookDelivery, deliveries.slice(at, at + 500));
      await manager.update(WebhookEvent, { id: In(events.map((event) => event.id)) }, { dispatched: true });
      return events.length;
    });
  }

  private async deliverDue(): Promise<number> {
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    if (room <= 0 || this.stopped) return 0;
    const claimed = await this.claim(room);
    for (const item of claimed) this.track(item);
    return claimed.length;
  }

  private async claim(room: number): Promise<ClaimedDelivery[]> {
    const now = new Date();
    const claimed = await this.transaction(async (manager) => {
      const saturated = [...this.inFlightBySubscription].filter(([, count]) => count >= MAX_IN_FLIGHT_PER_SUBSCRIPTION).map(([id]) => id);
      let query = manager
        .createQueryBuilder(WebhookDelivery, 'delivery')
        .where("delivery.state = 'pending' AND delivery.next_attempt_at <= :now", { now })
        .andWhere('(delivery.lease_until IS NULL OR delivery.lease_until <= :now)', { now })
        .andWhere(
          'delivery.subscription_id IN (SELECT subscription.id FROM webhook_subscriptions subscription WHERE subscription.enabled = :yes)',
          {
            yes: true,
          },
        )
        // Per record and subscription, one at a time and in order.
        .andWhere(
          `NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier WHERE earlier.subscription_id = delivery.subscription_id
             AND earlier.ordering_key = delivery.ordering_key AND earlier.state = 'pending' AND earlier.id < delivery.id)`,
        )
        .orderBy('delivery.id', 'ASC')
        .limit(room);
      if (saturated.length > 0) query = query.andWhere('delivery.subscription_id NOT IN (:...saturated)', { saturated });
      if (this.isMysql) query = query.setLock('pessimistic_write').setOnLocked('skip_locked');
      const candidates = await query.getMany();
      // Within the batch, no subscription beyond its share of slots; the rest stay for later.
      const taken: WebhookDelivery[] = [];
      const counts = new Map(this.inFlightBySubscription);
      for (const delivery of candidates) {
        const count = counts.get(delivery.subscriptionId) ?? 0;
        if (count >= MAX_IN_FLIGHT_PER_SUBSCRIPTION) continue;
        counts.set(delivery.subscriptionId, count + 1);
        taken.push(delivery);
      }
      if (taken.length === 0) return [];
      const leaseUntil = new Date(now.getTime() + LEASE_MS);
      await manager.update(WebhookDelivery, { id: In(taken.map((delivery) => delivery.id)) }, { leaseUntil });
      return taken;
    });
    if (claimed.length === 0) return [];
    const events = new Map(
      (await this.events.findBy({ id: In([...new Set(claimed.map((delivery) => delivery.eventId))]) })).map((event) => [event.id, event]),
    );
    return claimed.flatMap((delivery) => {
      const event = events.get(delivery.eventId);
      return event ? [{ delivery, event }] : [];
    });
  }

  private track(item: ClaimedDelivery): void {
    const subscriptionId = item.delivery.subscriptionId;
    this.inFlightBySubscription.set(subscriptionId, (this.inFlightBySubscription.get(subscriptionId) ?? 0) + 1);
    const running = this.deliver(item)
      .catch((error: unknown) => {
        // The lease runs out and another round tries again: at least once, never lost.
        this.logger.warn(`Could not record the delivery of ${item.event.publicId}: ${(error as Error).message}`);
      })
      .finally(() => {
        this.inFlight.delete(running);
        const left = (this.inFlightBySubscription.get(subscriptionId) ?? 1) - 1;
        if (left > 0) this.inFlightBySubscription.set(subscriptionId, left);
        else this.inFlightBySubscription.delete(subscriptionId);
      });
    this.inFlight.add(running);
  }

  private async deliver({ delivery, event }: ClaimedDelivery): Promise<void> {
    // Read now: the secret current at this moment signs, and a subscription disabled or
    // deleted since the claim gets nothing.
    const subscription = await this.subscriptions.findOneBy({ id: delivery.subscriptionId });
    if (!subscription?.enabled) {
      if (subscription) await this.deliveries.update({ id: delivery.id }, { leaseUntil: null });
      return;
    }
    const result = await this.send(subscription, event);
    await this.record(delivery, event, subscription, result);
  }

  private async send(subscription: WebhookSubscription, event: WebhookEvent): Promise<DeliveryResult> {
    if (!this.config.webhooks.allowHttp && new URL(subscription.url).protocol !== 'https:') {
      return {
        status: null,
        durationMs: 0,
        retryAfterMs: null,
        error: 'http targets are not allowed (WEBHOOK_ALLOW_HTTP)',
        delivered: false,
      };
    }
    const timestamp = Math.floor(Date.now() / 1000);
    return sendWebhook({
      url: subscription.url,
      body: event.payload,
      headers: webhookHeaders(subscription.secret, event.publicId, timestamp, event.payload),
      allowPrivateTargets: this.config.webhooks.allowPrivateTargets,
      timeoutMs: SEND_TIMEOUT_MS,
    });
  }

  /** The attempt in the log, and what comes next: done, a retry, or (schedule exhausted) failed and disabled. */
  private async record(
    delivery: WebhookDelivery,
    event: WebhookEvent,
    subscription: WebhookSubscription,
    result: DeliveryResult,
  ): Promise<void> {
    const attempt = delivery.attempts + 1;
    const now = new Date();
    const delay = result.delivered ? null : retryDelayMs(this.config.webhooks.retryScheduleMs, attempt, result.retryAfterMs);
    const outcome = result.delivered ? 'delivered' : delay === null ? 'failed' : 'retrying';
    await this.transaction(async (manager) => {
      await manager.insert(WebhookAttempt, {
        deliveryId: delivery.id,
        subscriptionId: delivery.subscriptionId,
        eventId: delivery.eventId,
        attempt,
        status: result.status,
        delivered: result.delivered,
        error: result.error?.slice(0, 500) ?? null,
        at: now,
        durationMs: result.durationMs,
      });
      await manager.update(
        WebhookDelivery,
        { id: delivery.id },
        {
          attempts: attempt,
          state: outcome === 'retrying' ? 'pending' : outcome,
          nextAttemptAt: delay === null ? now : new Date(now.getTime() + delay),
          leaseUntil: null,
        },
      );
      if (outcome === 'failed') {
        const reason = `Event ${event.publicId} failed ${attempt} attempts; the last: ${describe(result)}.`;
        await manager.update(
          WebhookSubscription,
          { id: subscription.id, enabled: true },
          { enabled: false, disabledReason: reason.slice(0, 500) },
        );
      }
    });
    this.metrics.webhookDeliveries.inc({ outcome });
    if (outcome === 'failed') this.logger.warn(`Webhook ${subscription.id} disabled: an event failed every attempt.`);
  }
}

function describe(result: DeliveryResult): string {
  return result.status === null ? (result.error ?? 'no answer') : `HTTP ${result.status}`;
}
