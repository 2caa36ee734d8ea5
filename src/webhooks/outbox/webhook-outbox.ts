import { randomFillSync } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { statement, type PendingInsertedId, type Statement } from '../../database/statement-batches.js';
import type { AuthenticatedUser } from '../../auth/authenticated-user.js';
import type { EmployeeDto } from '../../users/dto/employee.dto.js';
import { WebhookEvent } from '../entities/webhook-event.entity.js';
import type { WebhookEventData } from './webhook-event-payloads.js';

/** Who made a change, and when: the envelope every event of one request shares. */
export interface ChangeContext {
  tenantId: number;
  actor: EmployeeDto;
  at: Date;
}

/** The change context of a caller's request: the caller is the actor. */
export function changeBy(caller: Pick<AuthenticatedUser, 'tenantId' | 'employee'>): ChangeContext {
  return { tenantId: caller.tenantId, actor: caller.employee, at: new Date() };
}

/** The delivery body of an event: what subscribers receive and the signature covers. */
export interface WebhookEventBody {
  id: string;
  type: WebhookEventData['type'];
  timestamp: string;
  tenantId: number;
  actor: EmployeeDto;
  data: Record<string, unknown>;
}

/** Random bytes drawn from the system's generator 256 ids at a time, as crypto.randomUUID does. */
const ID_BYTES = 16;
const idPool = Buffer.alloc(ID_BYTES * 256);
let idPoolOffset = idPool.length;

/**
 * `evt_` and 128 random bits: unique without asking the database, and not guessable. The bits
 * come from the same cryptographic generator as `randomBytes(16)`, refilled in batches: one
 * `randomBytes` call per event was a measurable share of an attach's CPU (docs/performance.md).
 */
export function newEventId(): string {
  if (idPoolOffset === idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const id = idPool.toString('base64url', idPoolOffset, idPoolOffset + ID_BYTES);
  idPoolOffset += ID_BYTES;
  return `evt_${id}`;
}

const OUTBOX_COLUMNS = ['publicId', 'tenantId', 'type', 'orderingKey', 'payload', 'createdAt', 'dispatched'] as const;
const PAYLOAD = OUTBOX_COLUMNS.indexOf('payload');
const INSERT_EVENTS_SQL = `INSERT INTO webhook_events (public_id, tenant_id, type, ordering_key, payload, created_at, dispatched) VALUES `;

/**
 * Writes events to the outbox (`webhook_events`) inside the transaction of the change they
 * describe: all of one request in a single INSERT, so publishing costs one statement whatever the
 * number of events. Rows are written in the order given, which is the order they are delivered.
 */
@Injectable()
export class WebhookOutbox {
  constructor(@InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>) {}

  async publish(manager: EntityManager, change: ChangeContext, events: WebhookEventData[]): Promise<void> {
    if (events.length === 0) return;
    const insert = this.statement(change, events);
    await manager.query(insert.sql, [...insert.values]);
  }

  /**
   * The INSERT of `publish` (at least one event), for a transaction sent as a batch. Hand-written
   * (on every attach; the repository's insert cost more CPU than the statement); the generated
   * ids are not needed: nothing is read back. `pendingId`: the events' data holds the stand-in of
   * an id the transaction's first statement generates, which the payloads get instead.
   */
  statement(change: ChangeContext, events: WebhookEventData[], pendingId?: PendingInsertedId): Statement<void> {
    if (events.length === 0) throw new Error('An outbox INSERT needs at least one event.');
    // Each value converted as TypeORM converts it on this driver (created_at: a Date for mysql2,
    // UTC text for SQLite; dispatched: 0), so that the rows read back through the entity the same.
    const { driver } = this.events.manager.connection;
    const { metadata } = this.events;
    const columns = OUTBOX_COLUMNS.map((name) => {
      const column = metadata.findColumnWithPropertyName(name);
      if (!column) throw new Error(`webhook_events has no ${name} column.`);
      return column;
    });
    const values = events.flatMap((event) => {
      const body: WebhookEventBody = {
        id: newEventId(),
        type: event.type,
        timestamp: change.at.toISOString(),
        tenantId: change.tenantId,
        actor: change.actor,
        data: event.data,
      };
      const row = [body.id, change.tenantId, event.type, event.orderingKey, JSON.stringify(body), change.at, false];
      const values = row.map((value, index) => driver.preparePersistentValue(value, columns[index]));
      if (pendingId) values[PAYLOAD] = pendingId.inText(values[PAYLOAD] as string);
      return values;
    });
    return statement(`${INSERT_EVENTS_SQL}${events.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`, values);
  }
}
