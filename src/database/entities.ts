import { ApiKey } from '../auth/entities/api-key.entity.js';
import { CrmFile } from '../files/entities/crm-file.entity.js';
import { FileId } from '../files/entities/file-id.entity.js';
import { Folder } from '../files/entities/folder.entity.js';
import { EventFileLink } from '../history/entities/event-file-link.entity.js';
import { HistoryCategory } from '../history/entities/history-category.entity.js';
import { HistoryEvent } from '../history/entities/history-event.entity.js';
import { IdempotencyRecord } from '../idempotency/entities/idempotency-record.entity.js';
import { AccessListEntry } from '../records/entities/access-list-entry.entity.js';
import { Contact } from '../records/entities/contact.entity.js';
import { CrmCase } from '../records/entities/crm-case.entity.js';
import { Currency } from '../records/entities/currency.entity.js';
import { Opportunity } from '../records/entities/opportunity.entity.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import { User } from '../users/entities/user.entity.js';
import { WebhookAttempt } from '../webhooks/entities/webhook-attempt.entity.js';
import { WebhookDelivery } from '../webhooks/entities/webhook-delivery.entity.js';
import { WebhookEvent } from '../webhooks/entities/webhook-event.entity.js';
import { WebhookSubscription } from '../webhooks/entities/webhook-subscription.entity.js';

/** Every entity, listed once for the application, the CLI and the migration DataSource. */
export const ENTITIES = [
  Tenant,
  User,
  ApiKey,
  Currency,
  Contact,
  Opportunity,
  CrmCase,
  AccessListEntry,
  Folder,
  CrmFile,
  FileId,
  HistoryCategory,
  HistoryEvent,
  EventFileLink,
  IdempotencyRecord,
  WebhookSubscription,
  WebhookEvent,
  WebhookDelivery,
  WebhookAttempt,
];
