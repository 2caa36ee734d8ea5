import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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

/** `evt_` and 128 random bits: unique without asking the database, and not guessable. */
export function newEventId(): string {
  return `evt_${randomBytes(16).toString('base64url')}`;
}

/**
 * Writes events to the outbox (`webhook_events`) inside the transaction of the change they
 * describe: all of one request in a single INSERT, so publishing costs one statement whatever the
 * number of events. Rows are written in the order given, which is the order they are delivered.
 */
@Injectable()
export class WebhookOutbox {
  async publish(manager: EntityManager, change: ChangeContext, events: WebhookEventData[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((event) => {
      const body: WebhookEventBody = {
        id: newEventId(),
        type: event.type,
        timestamp: change.at.toISOString(),
        tenantId: change.tenantId,
        actor: change.actor,
        data: event.data,
      };
      return manager.getRepository(WebhookEvent).create({
        publicId: body.id,
        tenantId: change.tenantId,
        type: event.type,
        orderingKey: event.orderingKey,
        payload: JSON.stringify(body),
        createdAt: change.at,
        dispatched: false,
      });
    });
    // One multi-row INSERT; the generated ids come from the driver's answer, nothing is read back.
    await manager.getRepository(WebhookEvent).insert(rows);
  }
}
