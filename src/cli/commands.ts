import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { isPlainId, isUuid } from '../common/validation/ids.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { cleanFileName, contentTypeForName } from '../files/file-name.js';
import { FilesService } from '../files/files.service.js';
import { ShareType } from '../records/entities/share-type.js';
import { RecordsService } from '../records/records.service.js';
import { DemoSeedService } from '../seed/demo-seed.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { UsersService } from '../users/users.service.js';
import { WEBHOOK_EVENT_TYPES, isWebhookEventType, type WebhookEventType } from '../webhooks/webhook-event-types.js';
import { WebhooksService, type WebhookManager } from '../webhooks/webhooks.service.js';
import { CliUsageError } from './cli-error.js';

type Options = Record<string, { type: 'string' | 'boolean' }>;
type Command = (app: INestApplicationContext, args: string[]) => Promise<unknown>;

export const USAGE = `Usage: npm run cli -- <command>
  migrate
  tenant create --name N
  user create --tenant T --name "Display Name" [--title X] [--admin]
  apikey create --user <uuid> [--label L]
  apikey revoke --id N
  contact create --tenant T (--person --first F --last L | --company --name N)
                 [--share none|read|readwrite] [--access <uuid>,...] [--currency USD]
  opportunity create --tenant T --title X [--creator <uuid>] [--access <uuid>,...]
  case create --tenant T --title X [--creator <uuid>] [--access <uuid>,...]
  file add --user <uuid> <path>
  webhook create --tenant T --url U [--events files.attached,file.deleted,...]
  webhook list --tenant T
  webhook delete --id N [--tenant T]
  webhook rotate-secret --id N [--tenant T]
  webhook enable --id N [--tenant T]
  seed --demo
  help | --help | -h`;

function parse<const T extends Options>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: allowPositionals as true });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new CliUsageError(`--${name} is required.`);
  return value.trim();
}

function positiveInt(value: string, name: string): number {
  if (!isPlainId(value)) throw new CliUsageError(`--${name} must be a positive integer.`);
  return Number(value);
}

function userId(value: string, name: string): string {
  if (!isUuid(value)) throw new CliUsageError(`--${name} must be a user id (uuid), got "${value}".`);
  return value.toLowerCase();
}

function userList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  return String(value)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => userId(part, name));
}

const SHARE_TYPES: Record<string, ShareType> = { none: ShareType.None, read: ShareType.Read, readwrite: ShareType.ReadWrite };

async function entityCreate(type: 'opportunity' | 'case', app: INestApplicationContext, args: string[]) {
  const { values } = parse(args, {
    tenant: { type: 'string' },
    title: { type: 'string' },
    creator: { type: 'string' },
    access: { type: 'string' },
  });
  const tenantId = positiveInt(required(values, 'tenant'), 'tenant');
  await app.get(TenantsService).assertExists(tenantId);
  const creator = values.creator === undefined ? await defaultCreator(app, tenantId) : userId(values.creator, 'creator');
  const id = await app.get(RecordsService).createEntity(type, {
    tenantId,
    title: required(values, 'title'),
    createdBy: creator,
    accessList: userList(values.access, 'access'),
  });
  return { id };
}

/** Without --creator, an opportunity or case is created by the tenant's first admin. */
async function defaultCreator(app: INestApplicationContext, tenantId: number): Promise<string> {
  const admin = await app.get(UsersService).firstAdmin(tenantId);
  if (!admin) throw new CliUsageError(`Tenant ${tenantId} has no admin user: pass --creator <uuid>.`);
  return admin.id;
}

/** The CLI manages any tenant's webhooks, as that tenant's admins do through the API. */
async function webhookTenant(app: INestApplicationContext, values: Record<string, unknown>): Promise<WebhookManager> {
  const tenantId = positiveInt(required(values, 'tenant'), 'tenant');
  await app.get(TenantsService).assertExists(tenantId);
  return { tenantId, isAdmin: true, userId: null };
}

function eventTypes(value: string | undefined): WebhookEventType[] | undefined {
  if (value === undefined) return undefined;
  const types = value.split(',').map((part) => part.trim());
  const unknown = types.filter((type) => !isWebhookEventType(type));
  if (unknown.length > 0 || types.length === 0) {
    throw new CliUsageError(`--events must list event types among ${WEBHOOK_EVENT_TYPES.join(', ')}; got "${value}".`);
  }
  return types as WebhookEventType[];
}

/**
 * The webhook an id names, with a manager of its tenant. Webhook ids are unique across tenants,
 * so `--id` alone is enough, as for `apikey revoke`; `--tenant`, when given, must be
 * the webhook's, else it is not found, as through the API.
 */
async function webhookById(app: INestApplicationContext, args: string[]): Promise<{ manager: WebhookManager; id: number }> {
  const { values } = parse(args, { tenant: { type: 'string' }, id: { type: 'string' } });
  const id = positiveInt(required(values, 'id'), 'id');
  if (values.tenant !== undefined) return { manager: await webhookTenant(app, values), id };
  const tenantId = await app.get(WebhooksService).tenantOf(id);
  if (tenantId === null) throw new Error(`There is no webhook with id ${id}.`);
  return { manager: { tenantId, isAdmin: true, userId: null }, id };
}

export const COMMANDS: Record<string, Command> = {
  migrate: async (app, args) => {
    parse(args, {});
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const migrated = await dataSource.runMigrations({ transaction: 'each' });
    return { migrated: migrated.map((migration) => migration.name) };
  },

  'tenant create': async (app, args) => {
    const { values } = parse(args, { name: { type: 'string' } });
    return app.get(TenantsService).create(required(values, 'name'));
  },

  'user create': async (app, args) => {
    const { values } = parse(args, {
      tenant: { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      admin: { type: 'boolean' },
    });
    const tenantId = positiveInt(required(values, 'tenant'), 'tenant');
    const displayName = required(values, 'name');
    await app.get(TenantsService).assertExists(tenantId);
    const id = await app
      .get(UsersService)
      .create({ tenantId, displayName, title: values.title?.trim() || null, isAdmin: values.admin === true });
    return { id };
  },

  'apikey create': async (app, args) => {
    const { values } = parse(args, { user: { type: 'string' }, label: { type: 'string' } });
    return app.get(ApiKeysService).create(userId(required(values, 'user'), 'user'), values.label?.trim() || null);
  },

  'apikey revoke': async (app, args) => {
    const { values } = parse(args, { id: { type: 'string' } });
    const id = positiveInt(required(values, 'id'), 'id');
    await app.get(ApiKeysService).revoke(id);
    return { revoked: id };
  },

  'contact create': async (app, args) => {
    const { values } = parse(args, {
      tenant: { type: 'string' },
      person: { type: 'boolean' },
      company: { type: 'boolean' },
      first: { type: 'string' },
      last: { type: 'string' },
      name: { type: 'string' },
      share: { type: 'string' },
      access: { type: 'string' },
      currency: { type: 'string' },
    });
    if (values.person === values.company) throw new CliUsageError('Give exactly one of --person or --company.');
    const share = (values.share ?? 'readwrite').toLowerCase();
    if (!Object.hasOwn(SHARE_TYPES, share)) throw new CliUsageError('--share must be none, read or readwrite.');
    const tenantId = positiveInt(required(values, 'tenant'), 'tenant');
    await app.get(TenantsService).assertExists(tenantId);
    const id = await app.get(RecordsService).createContact({
      tenantId,
      person: values.person ? { firstName: required(values, 'first'), lastName: required(values, 'last') } : undefined,
      company: values.company ? { name: required(values, 'name') } : undefined,
      shareType: SHARE_TYPES[share],
      accessList: userList(values.access, 'access'),
      currency: values.currency === undefined ? null : values.currency.trim().toUpperCase(),
    });
    return { id };
  },

  'opportunity create': (app, args) => entityCreate('opportunity', app, args),
  'case create': (app, args) => entityCreate('case', app, args),

  'file add': async (app, args) => {
    const { values, positionals } = parse(args, { user: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new CliUsageError('Give exactly one file path.');
    const [path] = positionals;
    const user = await app.get(UsersService).findById(userId(required(values, 'user'), 'user'));
    if (!user) throw new Error(`No user with id ${values.user}.`);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new Error(`${path} is not a readable file.`);
    const config = app.get<AppConfig>(APP_CONFIG);
    if (info.size > config.maxUploadBytes) throw new Error(`${path} is larger than MAX_UPLOAD_BYTES (${config.maxUploadBytes}).`);
    const name = cleanFileName(basename(path));
    if (name === '') throw new Error(`${path} has no usable file name.`);
    const created = await app
      .get(FilesService)
      .create(
        { userId: user.id, tenantId: user.tenantId },
        { name, contentType: contentTypeForName(name), content: createReadStream(path) },
        config.maxUploadBytes,
      );
    return { id: created.file.id };
  },

  'webhook create': async (app, args) => {
    const { values } = parse(args, { tenant: { type: 'string' }, url: { type: 'string' }, events: { type: 'string' } });
    const url = required(values, 'url');
    return app.get(WebhooksService).create(await webhookTenant(app, values), { url, events: eventTypes(values.events) });
  },

  'webhook list': async (app, args) => {
    const { values } = parse(args, { tenant: { type: 'string' } });
    return { webhooks: await app.get(WebhooksService).list(await webhookTenant(app, values)) };
  },

  'webhook delete': async (app, args) => {
    const { manager, id } = await webhookById(app, args);
    await app.get(WebhooksService).delete(manager, id);
    return { deleted: id };
  },

  'webhook rotate-secret': async (app, args) => {
    const { manager, id } = await webhookById(app, args);
    return app.get(WebhooksService).rotateSecret(manager, id);
  },

  'webhook enable': async (app, args) => {
    const { manager, id } = await webhookById(app, args);
    return app.get(WebhooksService).enable(manager, id);
  },

  seed: async (app, args) => {
    const { values } = parse(args, { demo: { type: 'boolean' } });
    if (!values.demo) throw new CliUsageError('seed needs --demo.');
    return app.get(DemoSeedService).seed();
  },
};
