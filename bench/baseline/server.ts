/**
 * The measuring stick of `npm run bench`: the same requests as the service, answered with the
 * same JSON after the same checks (API key by hash and not revoked, tenant, record access with
 * private access lists and admins, file readability) and the same writes (an attach's event,
 * its links and its webhook event, in one transaction), by plain `node:http` and `mysql2` with
 * hand-written SQL in as few round trips as the work allows. Not a product: it serves only
 * what the scenarios send (attach, a record's files, a history page, a download), on
 * MySQL/MariaDB, and answers anything else 404.
 *
 *   BASELINE_DATABASE_URL=mysql://root@127.0.0.1:3306/db FILES_DIR=... PORT=... node dist/bench/baseline/server.js
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import mysql, { type PoolConnection } from 'mysql2';

type Value = string | number | null | Date | number[];
type DbRow = Record<string, unknown>;
type RecordType = 'contact' | 'opportunity' | 'case';

const url = new URL(process.env.BASELINE_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/crm_files');
const filesDir = resolve(process.env.FILES_DIR ?? 'data/files');
const maxFileIds = Number(process.env.MAX_FILE_IDS ?? 100);
/** false: the attach writes no webhook event (`npm run bench -- --baseline-without-webhook-events`). */
const writesWebhookEvents = process.env.BASELINE_WEBHOOK_EVENTS !== 'false';
const pool = mysql.createPool({
  host: url.hostname,
  port: Number(url.port || 3306),
  user: decodeURIComponent(url.username) || 'root',
  password: decodeURIComponent(url.password),
  database: decodeURIComponent(url.pathname.slice(1)),
  charset: 'utf8mb4_unicode_ci',
  timezone: 'Z',
  connectionLimit: 10,
  multipleStatements: true,
});

/** One round trip; with several statements, one result per statement. No stack captured per query. */
function query(sql: string, values: Value[]): Promise<any> {
  return new Promise((done, fail) => pool.query(sql, values, (error, rows) => (error ? fail(error) : done(rows))));
}

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}
const unauthorized = () => new Problem(401, 'unauthorized', 'Unauthorized', 'A valid API key is required in the Authorization header.');
const notFound = (what: string) => new Problem(404, 'not-found', 'Not Found', `There is no ${what}.`);
const invalid = (detail: string) => new Problem(400, 'invalid-request', 'Invalid request', detail);

const KEY_SHAPE = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{8}){7}$/;

function keyHash(header: string | undefined): string | null {
  if (header === undefined) return null;
  const value = header.trim().replace(/^bearer\s+/i, '');
  return KEY_SHAPE.test(value) ? createHash('sha256').update(value.toUpperCase(), 'utf8').digest('hex') : null;
}

// ---- SQL: every statement finds the caller by key hash itself, so statements can share a round trip.

const CALLER = `api_keys k JOIN users me ON me.id = k.user_id`;
const CALLER_WHERE = `k.key_hash = ? AND k.revoked_at IS NULL`;
const EMPLOYEE = (alias: string, prefix: string) =>
  `${alias}.id AS ${prefix}id, ${alias}.display_name AS ${prefix}name, ${alias}.title AS ${prefix}title, ${alias}.avatar_small AS ${prefix}avatar, ${alias}.profile_url AS ${prefix}profile`;

const AUTH_SQL = `SELECT k.key_hash, me.tenant_id, me.is_admin, ${EMPLOYEE('me', 'u_')} FROM ${CALLER} WHERE ${CALLER_WHERE}`;

const RECORD_SQL: Record<RecordType, string> = {
  contact: `SELECT c.id, c.is_company, c.first_name, c.last_name, c.company_name, c.share_type, cur.abbreviation AS cur_code,
      cur.title AS cur_title, cur.symbol AS cur_symbol, cur.culture_name AS cur_culture, cur.is_convertable AS cur_convertable, cur.is_basic AS cur_basic
    FROM ${CALLER} JOIN contacts c ON c.id = ? AND c.tenant_id = me.tenant_id LEFT JOIN currencies cur ON cur.abbreviation = c.currency
    WHERE ${CALLER_WHERE}`,
  opportunity: `SELECT r.id, r.title, r.created_by FROM ${CALLER} JOIN opportunities r ON r.id = ? AND r.tenant_id = me.tenant_id WHERE ${CALLER_WHERE}`,
  case: `SELECT r.id, r.title, r.created_by FROM ${CALLER} JOIN cases r ON r.id = ? AND r.tenant_id = me.tenant_id WHERE ${CALLER_WHERE}`,
};

const ACCESS_SQL = `SELECT ${EMPLOYEE('a_u', 'u_')} FROM access_list_entries a JOIN users a_u ON a_u.id = a.user_id
  WHERE a.record_type = ? AND a.record_id = ? ORDER BY a.user_id`;

/** An event (alias e) the caller (alias me) may read: the access rules of docs/contract.md. */
const READABLE_EVENT = `(me.is_admin = 1
  OR (e.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM contacts ec WHERE ec.id = e.contact_id AND (ec.share_type <> 0
        OR EXISTS (SELECT 1 FROM access_list_entries ea WHERE ea.record_type = 'contact' AND ea.record_id = ec.id AND ea.user_id = me.id))))
  OR (e.entity_type IS NOT NULL AND (
        NOT EXISTS (SELECT 1 FROM access_list_entries ea WHERE ea.record_type = e.entity_type AND ea.record_id = e.entity_id)
        OR EXISTS (SELECT 1 FROM access_list_entries ea WHERE ea.record_type = e.entity_type AND ea.record_id = e.entity_id AND ea.user_id = me.id))))`;

const FILE_COLUMNS = `f.id, f.name, f.content_type, f.content_length, f.sha256, f.folder_id, f.version, f.created_at, f.updated_at, f.tenant_id,
  ${EMPLOYEE('cu', 'c_')}, ${EMPLOYEE('uu', 'm_')}`;
const FILE_USERS = `JOIN users cu ON cu.id = f.created_by JOIN users uu ON uu.id = f.updated_by`;

const READABLE_FILES_SQL = `SELECT ${FILE_COLUMNS} FROM ${CALLER} JOIN files f ON f.id IN (?) AND f.tenant_id = me.tenant_id ${FILE_USERS}
  WHERE ${CALLER_WHERE} AND (me.is_admin = 1 OR f.created_by = me.id OR f.updated_by = me.id
    OR EXISTS (SELECT 1 FROM event_files l JOIN history_events e ON e.id = l.event_id WHERE l.file_id = f.id AND ${READABLE_EVENT}))`;

const RECORD_EVENTS: Record<RecordType, string> = {
  contact: `e.tenant_id = ? AND e.contact_id = ?`,
  opportunity: `e.tenant_id = ? AND e.entity_type = 'opportunity' AND e.entity_id = ?`,
  case: `e.tenant_id = ? AND e.entity_type = 'case' AND e.entity_id = ?`,
};

// ---- Wire objects, as the service writes them.

const employee = (row: DbRow, prefix: string) => ({
  Id: row[`${prefix}id`],
  DisplayName: row[`${prefix}name`],
  Title: row[`${prefix}title`],
  AvatarSmall: row[`${prefix}avatar`],
  ProfileUrl: row[`${prefix}profile`],
});

const fileDto = (row: DbRow) => ({
  ID: row.id,
  Name: row.name,
  Location: `/api/2.0/crm/files/${row.id}/content`,
  Updated: (row.updated_at as Date).toISOString(),
  UpdatedBy: employee(row, 'm_'),
  Created: (row.created_at as Date).toISOString(),
  CreatedBy: employee(row, 'c_'),
  ContentLength: Number(row.content_length),
  ContentType: row.content_type,
  FolderId: row.folder_id,
  Version: row.version,
});

const SYSTEM_CATEGORIES = new Map([
  [-1, 'Task is closed'],
  [-2, 'Files are uploaded'],
  [-3, 'Mail Message'],
]);

interface Caller {
  userId: string;
  tenantId: number;
  isAdmin: boolean;
  employee: ReturnType<typeof employee>;
}

interface LoadedRecord {
  type: RecordType;
  id: number;
  canRead: boolean;
  canEdit: boolean;
  contact: object | null;
  entity: object | null;
}

function callerFrom(rows: DbRow[], hash: string): Caller {
  const row = rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.key_hash as string, 'hex'), Buffer.from(hash, 'hex'))) throw unauthorized();
  return {
    userId: row.u_id as string,
    tenantId: Number(row.tenant_id),
    isAdmin: Number(row.is_admin) === 1,
    employee: employee(row, 'u_'),
  };
}

function recordFrom(caller: Caller, type: RecordType, id: number, recordRows: DbRow[], accessRows: DbRow[]): LoadedRecord {
  const row = recordRows[0];
  if (!row) throw notFound(`${type} with id ${id}`);
  const listed = accessRows.some((entry) => entry.u_id === caller.userId);
  if (type === 'contact') {
    const shareType = Number(row.share_type);
    const canRead = caller.isAdmin || listed || shareType !== 0;
    const canEdit = caller.isAdmin || listed || shareType === 1;
    if (!canRead) throw notFound(`${type} with id ${id}`);
    const isPrivate = shareType === 0;
    const contact = {
      ID: row.id,
      DisplayName: Number(row.is_company) ? (row.company_name ?? '') : [row.first_name, row.last_name].filter((part) => part).join(' '),
      IsCompany: Number(row.is_company) === 1,
      SmallFotoUrl: null,
      MediumFotoUrl: null,
      AccessList: isPrivate ? accessRows.map((entry) => employee(entry, 'u_')) : [],
      IsPrivate: isPrivate,
      IsShared: !isPrivate,
      ShareType: shareType,
      Currency:
        row.cur_code === null
          ? null
          : {
              Title: row.cur_title,
              Symbol: row.cur_symbol,
              Abbreviation: row.cur_code,
              CultureName: row.cur_culture,
              IsConvertable: Number(row.cur_convertable) === 1,
              IsBasic: Number(row.cur_basic) === 1,
            },
      CanEdit: canEdit,
      CanDelete: canEdit,
    };
    return { type, id, canRead, canEdit, contact, entity: null };
  }
  const open = accessRows.length === 0;
  const canRead = caller.isAdmin || open || listed;
  const canEdit = canRead && (caller.isAdmin || open || listed || row.created_by === caller.userId);
  if (!canRead) throw notFound(`${type} with id ${id}`);
  return { type, id, canRead, canEdit, contact: null, entity: { EntityType: type, EntityId: row.id, EntityTitle: row.title } };
}

/** Round trip 1 of every record route: the caller, the record and its access list. */
async function loadCallerAndRecord(
  hash: string,
  type: RecordType,
  id: number,
  more = '',
  moreValues: Value[] = [],
): Promise<[Caller, LoadedRecord, any[]]> {
  const results = await query(`${AUTH_SQL}; ${RECORD_SQL[type]}; ${ACCESS_SQL}${more ? `; ${more}` : ''}`, [
    hash,
    id,
    hash,
    type,
    id,
    ...moreValues,
  ]);
  const caller = callerFrom(results[0], hash);
  return [caller, recordFrom(caller, type, id, results[1], results[2]), results.slice(3)];
}

// ---- Routes.

async function attach(hash: string, type: RecordType, id: number, body: unknown): Promise<object> {
  const fileIds = (body as { fileids?: unknown })?.fileids;
  if (
    !Array.isArray(fileIds) ||
    fileIds.length === 0 ||
    fileIds.length > maxFileIds ||
    !fileIds.every((v) => Number.isInteger(v) && v >= 1 && v <= 2147483647)
  ) {
    throw invalid('fileids must be an array of 1 to MAX_FILE_IDS file ids.');
  }
  const wanted = [...new Set(fileIds as number[])];
  // Round trip 1: key, record, access list, and every file with its users, checked in SQL.
  const [caller, record, [fileRows]] = await loadCallerAndRecord(hash, type, id, READABLE_FILES_SQL, [wanted, hash]);
  const files = new Map<number, DbRow>((fileRows as DbRow[]).map((row) => [Number(row.id), row]));
  const missing = wanted.filter((fileId) => !files.has(fileId));
  if (missing.length > 0) {
    throw new Problem(
      404,
      'files-not-found',
      'Files not found',
      `These files do not exist or are not visible to you: ${missing.join(', ')}.`,
      {
        missingFileIds: missing,
      },
    );
  }
  // Round trip 2: the event, its links and its webhook event (the contract writes every change's
  // event in the change's own transaction), in one transaction. The links and the webhook event
  // name the new event's id as LAST_INSERT_ID(); the event's JSON is written around it.
  const created = new Date();
  const event = {
    ID: 0,
    CreateBy: caller.employee,
    Created: created.toISOString(),
    Content: 'Files are uploaded',
    Category: { ID: -2, Title: 'Files are uploaded', Description: null, Color: null, ImagePath: null, SortOrder: 0 },
    Contact: record.contact,
    Entity: record.entity,
    Files: wanted.map((fileId) => fileDto(files.get(fileId)!)),
    CanEdit: true,
  };
  const standIn = -(2 ** 47 + randomInt(2 ** 47));
  // The webhook event's JSON, with a stand-in for the event's id cut out; its parts are written as
  // hexadecimal literals (nothing to escape in a text full of quotes).
  const publicId = `evt_${randomBytes(16).toString('base64url')}`;
  const envelope = {
    id: publicId,
    type: 'files.attached',
    timestamp: created.toISOString(),
    tenantId: caller.tenantId,
    actor: caller.employee,
  };
  const payload = JSON.stringify({ ...envelope, data: { Event: { ...event, ID: standIn } } }).split(String(standIn));
  // Each link names its event's record too (the schema's record_type / record_id).
  const links = wanted
    .map((fileId, position) => `(LAST_INSERT_ID(), ${fileId}, ${caller.tenantId}, '${type}', ${id}, ${position})`)
    .join(', ');
  const connection = await new Promise<PoolConnection>((done, fail) =>
    pool.getConnection((error, pooled) => (error ? fail(error) : done(pooled))),
  );
  try {
    const results = await new Promise<any>((done, fail) =>
      connection.query(
        `START TRANSACTION; INSERT INTO history_events (tenant_id, category_id, content, contact_id, entity_type, entity_id, created_by, created_at)
          VALUES (?, -2, 'Files are uploaded', ?, ?, ?, ?, ?); INSERT INTO event_files (event_id, file_id, tenant_id, record_type, record_id, position) VALUES ${links};
          ${writesWebhookEvents ? `INSERT INTO webhook_events (public_id, tenant_id, type, ordering_key, payload, created_at, dispatched) VALUES (?, ?, 'files.attached', ?, CONVERT(CONCAT(${payload.map((part) => `X'${Buffer.from(part, 'utf8').toString('hex')}'`).join(', LAST_INSERT_ID(), ')}) USING utf8mb4), ?, 0);` : ''} COMMIT`,
        [
          caller.tenantId,
          type === 'contact' ? id : null,
          type === 'contact' ? null : type,
          type === 'contact' ? null : id,
          caller.userId,
          created,
          ...(writesWebhookEvents ? [publicId, caller.tenantId, `${type}:${id}`, created] : []),
        ],
        (error, rows) => (error ? fail(error) : done(rows)),
      ),
    );
    event.ID = results[1].insertId;
    return event;
  } catch (error) {
    // The statements after a failed one did not run: the transaction is still open on this connection.
    await new Promise((done) => connection.query('ROLLBACK', done));
    throw error;
  } finally {
    connection.release();
  }
}

function page(search: URLSearchParams): { startIndex: number; count: number } {
  const startIndex = search.has('startIndex') ? Number(search.get('startIndex')) : 0;
  const count = search.has('count') ? Number(search.get('count')) : 100;
  if (!Number.isInteger(startIndex) || startIndex < 0 || !Number.isInteger(count) || count < 1 || count > 1000)
    throw invalid('Bad paging.');
  return { startIndex, count };
}

async function listFiles(hash: string, type: RecordType, id: number, search: URLSearchParams, res: ServerResponse): Promise<object> {
  const { startIndex, count } = page(search);
  // The key, the record in the caller's tenant and its access (401, 404); record ids are unique across tenants.
  await loadCallerAndRecord(hash, type, id);
  // The links name their record: the newest link of each file, read in index order (as the service does).
  const [[total], rows] = await query(
    `SELECT COUNT(*) AS total FROM (SELECT DISTINCT l.file_id FROM event_files l FORCE INDEX (IDX_event_files_record_file)
       WHERE l.record_type = ? AND l.record_id = ?) d;
     SELECT ${FILE_COLUMNS} FROM (
       SELECT l.file_id, l.event_id AS newest FROM event_files l WHERE l.record_type = ? AND l.record_id = ?
         AND NOT EXISTS (SELECT 1 FROM event_files n WHERE n.record_type = l.record_type AND n.record_id = l.record_id
           AND n.file_id = l.file_id AND n.event_id > l.event_id)
       ORDER BY l.event_id DESC, l.file_id DESC LIMIT ? OFFSET ?) p
     JOIN files f ON f.id = p.file_id ${FILE_USERS} ORDER BY p.newest DESC, p.file_id DESC`,
    [type, id, type, id, count, startIndex],
  );
  res.setHeader('X-Total-Count', String(total.total));
  return (rows as DbRow[]).map(fileDto);
}

async function history(hash: string, search: URLSearchParams, res: ServerResponse): Promise<object> {
  const rawType = search.get('entityType')?.toLowerCase();
  const id = Number(search.get('entityId'));
  if ((rawType !== 'contact' && rawType !== 'opportunity' && rawType !== 'case') || !Number.isInteger(id) || id < 1) {
    throw invalid('This baseline serves the history of one record only.');
  }
  const type: RecordType = rawType;
  const { startIndex, count } = page(search);
  const [caller, record] = await loadCallerAndRecord(hash, type, id);
  const where = RECORD_EVENTS[type];
  const pageOfEvents = `SELECT e.id FROM history_events e WHERE ${where} ORDER BY e.created_at DESC, e.id DESC LIMIT ? OFFSET ?`;
  const [[total], events, links, categories] = await query(
    `SELECT COUNT(*) AS total FROM history_events e WHERE ${where};
     SELECT e.id, e.category_id, e.content, e.created_at, ${EMPLOYEE('cb', 'u_')} FROM history_events e JOIN users cb ON cb.id = e.created_by
       WHERE ${where} ORDER BY e.created_at DESC, e.id DESC LIMIT ? OFFSET ?;
     SELECT l.event_id, ${FILE_COLUMNS} FROM (${pageOfEvents}) p JOIN event_files l ON l.event_id = p.id JOIN files f ON f.id = l.file_id ${FILE_USERS}
       ORDER BY l.event_id, l.position;
     SELECT id, title, description, color, image_path, sort_order FROM history_categories WHERE tenant_id = ?`,
    [caller.tenantId, id, caller.tenantId, id, count, startIndex, caller.tenantId, id, count, startIndex, caller.tenantId],
  );
  const filesByEvent = new Map<number, object[]>();
  for (const row of links as DbRow[]) {
    const eventId = Number(row.event_id);
    const list = filesByEvent.get(eventId) ?? [];
    list.push(fileDto(row));
    filesByEvent.set(eventId, list);
  }
  const categoryById = new Map<number, object>();
  for (const [categoryId, title] of SYSTEM_CATEGORIES) {
    categoryById.set(categoryId, { ID: categoryId, Title: title, Description: null, Color: null, ImagePath: null, SortOrder: 0 });
  }
  for (const row of categories as DbRow[]) {
    categoryById.set(Number(row.id), {
      ID: row.id,
      Title: row.title,
      Description: row.description,
      Color: row.color,
      ImagePath: row.image_path,
      SortOrder: row.sort_order,
    });
  }
  res.setHeader('X-Total-Count', String(total.total));
  return (events as DbRow[]).map((row) => ({
    ID: row.id,
    CreateBy: employee(row, 'u_'),
    Created: (row.created_at as Date).toISOString(),
    Content: row.content,
    Category: categoryById.get(Number(row.category_id)),
    Contact: record.contact,
    Entity: record.entity,
    Files: filesByEvent.get(Number(row.id)) ?? [],
    CanEdit: caller.isAdmin || record.canEdit || (record.canRead && row.u_id === caller.userId),
  }));
}

async function download(hash: string, fileId: number, res: ServerResponse): Promise<void> {
  const [auth, [file]] = await query(`${AUTH_SQL}; ${READABLE_FILES_SQL}`, [hash, [fileId], hash]);
  callerFrom(auth, hash);
  if (!file) throw notFound(`file with id ${fileId}`);
  const name = String(file.name);
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  const shard = String(fileId % 1000).padStart(3, '0');
  res.writeHead(200, {
    'Content-Type': String(file.content_type),
    'Content-Length': String(file.content_length),
    ETag: `"${file.sha256}"`,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`,
    'Cache-Control': 'private, no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  createReadStream(resolve(filesDir, String(file.tenant_id), shard, String(fileId))).pipe(res);
}

// ---- HTTP.

const RECORD_FILES = /^\/api\/2\.0\/crm\/(contact|opportunity|case)\/([1-9]\d{0,9})\/files$/i;
const CONTENT = /^\/api\/2\.0\/crm\/files\/([1-9]\d{0,9})\/content$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = new URL(req.url ?? '/', 'http://localhost');
  const hash = keyHash(req.headers.authorization);
  if (target.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
  let match: RegExpExecArray | null;
  if ((match = RECORD_FILES.exec(target.pathname))) {
    if (!hash) throw unauthorized();
    const type = match[1].toLowerCase() as RecordType;
    const id = Number(match[2]);
    if (req.method === 'POST') {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Problem(400, 'malformed-json', 'Malformed JSON', 'The body is not valid JSON.');
      }
      return sendJson(res, 200, await attach(hash, type, id, body));
    }
    if (req.method === 'GET') return sendJson(res, 200, await listFiles(hash, type, id, target.searchParams, res));
  } else if (target.pathname === '/api/2.0/crm/history/filter' && req.method === 'GET') {
    if (!hash) throw unauthorized();
    return sendJson(res, 200, await history(hash, target.searchParams, res));
  } else if ((match = CONTENT.exec(target.pathname)) && req.method === 'GET') {
    if (!hash) throw unauthorized();
    return download(hash, Number(match[1]), res);
  }
  throw new Problem(404, 'not-found', 'Not Found', 'No such route.');
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    if (res.headersSent) return res.destroy();
    if (error instanceof Problem) {
      sendJson(
        res,
        error.status,
        { type: `/problems/${error.code}`, title: error.title, status: error.status, detail: error.detail, ...error.extra },
        'application/problem+json',
      );
    } else {
      console.error(error);
      sendJson(
        res,
        500,
        { type: '/problems/internal', title: 'Internal Server Error', status: 500, detail: 'Unexpected error.' },
        'application/problem+json',
      );
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 3100), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`baseline listening on ${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3100}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    pool.end(() => process.exit(0));
  });
}
