/**
 * The benchmark's data set: two tenants with the volume of a CRM that has been used for a few
 * years, written straight into the service's tables in big multi-row INSERTs. The same seed
 * gives the same rows (ids, users, keys) on MySQL and on SQLite, so one scene serves both.
 * Only the file that the download scenario reads gets real content; the other files are rows.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hashApiKey } from '../../src/auth/api-key-secret.js';
import { storageKeyForFile } from '../../src/storage/file-storage.js';
import type { Row, RowWriter } from './database.js';

export interface Volume {
  contacts: number;
  opportunities: number;
  cases: number;
  files: number;
  events: number;
  /** Events on the contact whose file list is paged at 10,000 events. */
  bigContactEvents: number;
  /** Events on the contact whose file list is paged at 100 events. */
  smallContactEvents: number;
  usersPerTenant: number;
}

/** What issue 10 calls a realistic volume (both tenants together). */
export const FULL_VOLUME: Volume = {
  contacts: 20_000,
  opportunities: 5_000,
  cases: 5_000,
  files: 200_000,
  events: 300_000,
  bigContactEvents: 10_000,
  smallContactEvents: 100,
  usersPerTenant: 50,
};

/** The quick mode's volume: the same shapes, small enough for CI. */
export const QUICK_VOLUME: Volume = {
  contacts: 1_000,
  opportunities: 250,
  cases: 250,
  files: 6_000,
  events: 14_000,
  bigContactEvents: 10_000,
  smallContactEvents: 100,
  usersPerTenant: 20,
};

export interface SceneUser {
  id: string;
  apiKey: string;
}

/** The ids the scenarios use; everything is in tenant 1 unless named otherwise. */
export interface Scene {
  volume: Volume;
  users: { admin: SceneUser; member: SceneUser; outsider: SceneUser; otherTenantMember: SceneUser };
  contacts: { attach: number; small: number; big: number; private: number };
  opportunity: number;
  /** Files created by the member, for attaching. */
  memberFiles: number[];
  download: { fileId: number; bytes: number };
}

const DOWNLOAD_BYTES = 100 * 1024;
const MEMBER_FILES = 400;
const FILES_UPLOADED = -2;

/** mulberry32: small, fast and seeded. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(next: () => number, digits: number): string {
  let out = '';
  while (out.length < digits)
    out += Math.floor(next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, digits);
}

function uuid(next: () => number): string {
  const h = hex(next, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function apiKey(next: () => number): string {
  return hex(next, 64).toUpperCase().match(/.{8}/g)!.join('-');
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: what TypeORM writes to both databases. */
function sqlDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const FIRST_NAMES = ['Anna', 'Boris', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Inès', 'Jonas', 'Kira', 'Luca'];
const LAST_NAMES = ['Ivanova', 'Schmidt', 'Dubois', 'Kowalski', 'García', 'Tanaka', 'Okafor', 'Rossi', 'Nielsen', 'Novák'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', null, null, null];
const EXTENSIONS: Array<[string, string]> = [
  ['pdf', 'application/pdf'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['png', 'image/png'],
  ['txt', 'text/plain; charset=utf-8'],
];

export async function fill(writer: RowWriter, volume: Volume, filesDir: string, log: (line: string) => void): Promise<Scene> {
  const next = random(20261201);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const started = Date.now();
  const day = 86_400_000;
  const epoch = Date.UTC(2024, 0, 1);
  const span = 700 * day;
  const tenants = [1, 2];
  const half = (n: number) => Math.ceil(n / 2);
  /** Ids 1..n, the first half in tenant 1, the rest in tenant 2. */
  const tenantOf = (id: number, n: number) => (id <= half(n) ? 1 : 2);
  const idRange = (tenant: number, n: number): [number, number] => (tenant === 1 ? [1, half(n)] : [half(n) + 1, n]);

  // Tenants, root folders, categories.
  await writer.insert(
    'tenants',
    ['id', 'name', 'root_folder_id', 'created_at'],
    tenants.map((t) => [t, `Bench tenant ${t}`, t, sqlDate(epoch)]),
  );
  await writer.insert(
    'folders',
    ['id', 'tenant_id', 'title', 'parent_id'],
    tenants.map((t) => [t, t, 'CRM', null]),
  );
  const categoryIds = new Map<number, number[]>();
  const categoryRows: Row[] = [];
  for (const t of tenants) {
    const ids: number[] = [];
    ['Note', 'Email', 'Call', 'Meeting'].forEach((title, index) => {
      const id = (t - 1) * 4 + index + 1;
      ids.push(id);
      categoryRows.push([id, t, title, null, null, null, index]);
    });
    categoryIds.set(t, ids);
  }
  await writer.insert('history_categories', ['id', 'tenant_id', 'title', 'description', 'color', 'image_path', 'sort_order'], categoryRows);

  // Users and their keys: the first three of each tenant are admin, member and outsider.
  const usersOf = new Map<number, string[]>();
  const userRows: Row[] = [];
  for (const t of tenants) {
    const ids: string[] = [];
    for (let k = 0; k < volume.usersPerTenant; k++) {
      const id = uuid(next);
      ids.push(id);
      const name = k === 0 ? 'Ada Admin' : k === 1 ? 'Max Member' : k === 2 ? 'Olga Outsider' : `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
      userRows.push([id, t, name, k % 3 === 0 ? null : 'Account manager', k % 4 === 0 ? null : `/avatars/${k}.png`, null, k === 0 ? 1 : 0]);
    }
    usersOf.set(t, ids);
  }
  await writer.insert('users', ['id', 'tenant_id', 'display_name', 'title', 'avatar_small', 'profile_url', 'is_admin'], userRows);
  const [admin, member, outsider] = usersOf.get(1)!;
  const otherMember = usersOf.get(2)![1];
  const keyed = [admin, member, outsider, otherMember].map((id) => ({ id, apiKey: apiKey(next) }));
  await writer.insert(
    'api_keys',
    ['id', 'user_id', 'label', 'key_hash', 'created_at', 'revoked_at'],
    keyed.map((user, index) => [index + 1, user.id, 'bench', hashApiKey(user.apiKey), sqlDate(epoch), null]),
  );

  // Contacts: a tenth private, with three users on the access list.
  const accessRows: Row[] = [];
  const accessListFor = (type: string, id: number, tenant: number, first?: string) => {
    const chosen = new Set<string>(first ? [first] : []);
    while (chosen.size < 3) chosen.add(pick(usersOf.get(tenant)!.slice(1)));
    for (const user of chosen) accessRows.push([type, id, user, tenant]);
  };
  const special = { attach: 1, small: 2, big: 3, private: 4 };
  await writer.insert(
    'contacts',
    ['id', 'tenant_id', 'is_company', 'first_name', 'last_name', 'company_name', 'share_type', 'currency', 'created_at'],
    (function* () {
      for (let id = 1; id <= volume.contacts; id++) {
        const tenant = tenantOf(id, volume.contacts);
        let shareType = id % 10 === 0 ? 0 : next() < 0.8 ? 1 : 2;
        let currency = pick(CURRENCIES);
        let company = next() < 0.3;
        if (id === special.attach || id === special.small || id === special.big) [shareType, currency, company] = [1, 'USD', false];
        if (id === special.private) [shareType, currency, company] = [0, 'EUR', false];
        if (shareType === 0) accessListFor('contact', id, tenant, id === special.private ? member : undefined);
        yield company
          ? [id, tenant, 1, null, null, `${pick(COMPANIES)} ${id}`, shareType, currency, sqlDate(epoch + Math.floor(next() * span))]
          : [
              id,
              tenant,
              0,
              pick(FIRST_NAMES),
              `${pick(LAST_NAMES)} ${id}`,
              null,
              shareType,
              currency,
              sqlDate(epoch + Math.floor(next() * span)),
            ];
      }
    })(),
  );

  // Opportunities and cases: a tenth private.
  for (const [table, type, n] of [
    ['opportunities', 'opportunity', volume.opportunities],
    ['cases', 'case', volume.cases],
  ] as const) {
    await writer.insert(
      table,
      ['id', 'tenant_id', 'title', 'created_by', 'created_at'],
      (function* () {
        for (let id = 1; id <= n; id++) {
          const tenant = tenantOf(id, n);
          if (id % 10 === 0) accessListFor(type, id, tenant);
          yield [
            id,
            tenant,
            `${type === 'case' ? 'Case' : 'Deal'} ${id}: ${pick(COMPANIES)}`,
            id === 1 ? admin : pick(usersOf.get(tenant)!),
            sqlDate(epoch + Math.floor(next() * span)),
          ];
        }
      })(),
    );
  }
  await writer.insert('access_list_entries', ['record_type', 'record_id', 'user_id', 'tenant_id'], accessRows);
  log(
    `  tenants, users, ${volume.contacts} contacts, ${volume.opportunities + volume.cases} deals and cases, ${accessRows.length} access entries (${secondsSince(started)})`,
  );

  // Files: the first ones of tenant 1 are the member's (attached by the scenarios); file 1 has real content.
  const downloadContent = Buffer.alloc(DOWNLOAD_BYTES);
  for (let i = 0; i < DOWNLOAD_BYTES; i++) downloadContent[i] = (i * 31 + (i >> 8)) & 0xff;
  const memberFiles: number[] = [];
  await writer.insert(
    'files',
    [
      'id',
      'tenant_id',
      'folder_id',
      'name',
      'content_type',
      'content_length',
      'sha256',
      'version',
      'created_by',
      'created_at',
      'updated_by',
      'updated_at',
    ],
    (function* () {
      for (let id = 1; id <= volume.files; id++) {
        const tenant = tenantOf(id, volume.files);
        const creator = id <= MEMBER_FILES + 1 ? member : pick(usersOf.get(tenant)!);
        if (id > 1 && creator === member && tenant === 1) memberFiles.push(id);
        const created = epoch + Math.floor(next() * span);
        if (id === 1) {
          yield [
            id,
            tenant,
            tenant,
            'Quarterly report.pdf',
            'application/pdf',
            DOWNLOAD_BYTES,
            createHash('sha256').update(downloadContent).digest('hex'),
            1,
            creator,
            sqlDate(created),
            creator,
            sqlDate(created),
          ];
          continue;
        }
        const [extension, contentType] = pick(EXTENSIONS);
        yield [
          id,
          tenant,
          tenant,
          `${pick(COMPANIES)} ${pick(['offer', 'contract', 'invoice', 'notes', 'scan'])} ${id}.${extension}`,
          contentType,
          between(200, 5_000_000),
          hex(next, 64),
          1,
          creator,
          sqlDate(created),
          creator,
          sqlDate(created + between(0, 30) * day),
        ];
      }
    })(),
  );
  const path = join(filesDir, storageKeyForFile(1, 1));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, downloadContent);
  log(`  ${volume.files} files (${secondsSince(started)})`);

  // Events, each linking one or two files of its tenant; the big and the small contact first.
  const linkRows: Row[] = [];
  let links = 0;
  const fileRange = tenants.map((t) => idRange(t, volume.files));
  const flushLinks = async () => {
    if (linkRows.length === 0) return;
    links += await writer.insert(
      'event_files',
      ['event_id', 'file_id', 'tenant_id', 'record_type', 'record_id', 'position'],
      linkRows.splice(0),
    );
  };
  const eventColumns = ['id', 'tenant_id', 'category_id', 'content', 'contact_id', 'entity_type', 'entity_id', 'created_by', 'created_at'];
  const chunk = 50_000;
  for (let from = 1; from <= volume.events; from += chunk) {
    const to = Math.min(volume.events, from + chunk - 1);
    await writer.insert(
      'history_events',
      eventColumns,
      (function* () {
        for (let id = from; id <= to; id++) {
          let tenant: number;
          let contact: number | null = null;
          let entity: [string, number] | null = null;
          if (id <= volume.bigContactEvents) [tenant, contact] = [1, special.big];
          else if (id <= volume.bigContactEvents + volume.smallContactEvents) [tenant, contact] = [1, special.small];
          else {
            tenant = next() < 0.5 ? 1 : 2;
            const kind = next();
            if (kind < 0.6) {
              const [low, high] = idRange(tenant, volume.contacts);
              contact = between(tenant === 1 ? Math.min(high, 5) : low, high);
            } else {
              const [type, n] = kind < 0.8 ? ['opportunity', volume.opportunities] : ['case', volume.cases];
              const [low, high] = idRange(tenant, n);
              entity = [type, between(low, high)];
            }
          }
          const category = next() < 0.5 ? FILES_UPLOADED : pick(categoryIds.get(tenant)!);
          const [low, high] = fileRange[tenant - 1];
          const first = between(low, high);
          // A link names its event's record too (the files page reads the links alone).
          const [recordType, recordId] = contact !== null ? ['contact', contact] : entity!;
          linkRows.push([id, first, tenant, recordType, recordId, 0]);
          if (id % 3 === 0) {
            const second = first === high ? low : first + 1;
            linkRows.push([id, second, tenant, recordType, recordId, 1]);
          }
          yield [
            id,
            tenant,
            category,
            category === FILES_UPLOADED
              ? 'Files are uploaded'
              : `Spoke about the ${pick(['offer', 'contract', 'renewal', 'invoice'])}; follow up next week (${id}).`,
            contact,
            entity?.[0] ?? null,
            entity?.[1] ?? null,
            pick(usersOf.get(tenant)!),
            sqlDate(epoch + Math.floor(next() * span)),
          ];
        }
      })(),
    );
    await flushLinks();
  }
  log(`  ${volume.events} events, ${links} links (${secondsSince(started)})`);

  return {
    volume,
    users: { admin: keyed[0], member: keyed[1], outsider: keyed[2], otherTenantMember: keyed[3] },
    contacts: special,
    opportunity: 1,
    memberFiles,
    download: { fileId: 1, bytes: DOWNLOAD_BYTES },
  };
}

function secondsSince(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}
