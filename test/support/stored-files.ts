import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join, relative } from 'node:path';
import type { DataSource } from 'typeorm';
import { bucketsByFilesDir } from './s3-test-storage.js';

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Every regular file under `dir` (staging and partial files included), as sorted paths relative to it.
 * For a test app on the S3 driver, `dir` is its FILES_DIR and the answer is every object under its prefix.
 */
export async function filesUnder(dir: string): Promise<string[]> {
  const bucket = bucketsByFilesDir.get(dir);
  if (bucket) return bucket.keys();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** The stored content under `key` (made by the app's storage), from the folder or, on S3, the app's bucket. */
export const readStored = (dir: string, key: string) => bucketsByFilesDir.get(dir)?.read(key) ?? readFile(join(dir, key));

/** Whether content is stored under `key`. */
export async function storedExists(dir: string, key: string): Promise<boolean> {
  const bucket = bucketsByFilesDir.get(dir);
  if (bucket) return bucket.exists(key);
  return stat(join(dir, key)).then(
    () => true,
    () => false,
  );
}

/** Removes the content under `key` behind the service's back. */
export async function removeStored(dir: string, key: string): Promise<void> {
  const bucket = bucketsByFilesDir.get(dir);
  if (bucket) return bucket.remove(key);
  await rm(join(dir, key));
}

export interface FileRow {
  id: number;
  tenantId: number;
  folderId: number;
  name: string;
  contentType: string;
  contentLength: number;
  sha256: string | null;
  version: number;
  createdBy: string;
  updatedBy: string;
}

/** The rows of the `files` table, read straight from the database with plain SQL (SQLite and MySQL alike). */
export function fileRows(dataSource: DataSource) {
  const map = (row: Record<string, unknown>): FileRow => ({
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    folderId: Number(row.folder_id),
    name: String(row.name),
    contentType: String(row.content_type),
    contentLength: Number(row.content_length),
    sha256: (row.sha256 as string | null) ?? null,
    version: Number(row.version),
    createdBy: String(row.created_by),
    updatedBy: String(row.updated_by),
  });
  const columns = 'id, tenant_id, folder_id, name, content_type, content_length, sha256, version, created_by, updated_by';

  const ofTenant = async (tenantId: number): Promise<FileRow[]> => {
    const rows: Record<string, unknown>[] = await dataSource.query(`SELECT ${columns} FROM files WHERE tenant_id = ? ORDER BY id`, [
      tenantId,
    ]);
    return rows.map(map);
  };

  const byId = async (id: number): Promise<FileRow | null> => {
    const rows: Record<string, unknown>[] = await dataSource.query(`SELECT ${columns} FROM files WHERE id = ?`, [id]);
    return rows.length ? map(rows[0]) : null;
  };

  return { ofTenant, byId };
}

/**
 * A supertest parser that keeps the body as raw bytes, whatever its content type; JSON bodies
 * (problem answers) are parsed, so that they read and are checked like any other JSON answer.
 */
export function binaryParser(response: unknown, done: (error: Error | null, body: unknown) => void): void {
  const stream = response as IncomingMessage;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    const bytes = Buffer.concat(chunks);
    if (!/[/+]json\b/.test(stream.headers['content-type'] ?? '')) return done(null, bytes);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch {
      done(null, bytes);
    }
  });
  stream.on('error', (error: Error) => done(error, Buffer.alloc(0)));
}

export interface MultipartPart {
  /** The form field name. */
  field: string;
  /** The file name, written as raw UTF-8 into `filename="..."`; leave it out for a plain form field. */
  filename?: string;
  /** The part's Content-Type header; leave it out to send none. */
  contentType?: string;
  content: Buffer | string;
}

/** A multipart/form-data body built byte by byte, so that tests control every header of every part. */
export function multipartBody(parts: MultipartPart[]): { body: Buffer; contentType: string } {
  const boundary = `----crm-files-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.filename === undefined ? `form-data; name="${part.field}"` : `form-data; name="${part.field}"; filename="${part.filename}"`;
    const headers = [
      `Content-Disposition: ${disposition}`,
      ...(part.contentType === undefined ? [] : [`Content-Type: ${part.contentType}`]),
    ];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(typeof part.content === 'string' ? Buffer.from(part.content, 'utf8') : part.content);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
