import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { fixtures } from './fixtures.js';
import { historyRows } from './history-rows.js';
import { fileRows, filesUnder, multipartBody, type MultipartPart } from './stored-files.js';
import type { TestApp } from './test-app.js';

/** Requests and scenes shared by the upload tests (POST /{entityType}/{entityid}/files/upload). */

export const uploadPath = (type: string, id: number | string, query = '') => `/api/2.0/crm/${type}/${id}/files/upload${query}`;

/** A new tenant with a caller who may read its one contact: only what the test changes can fail. */
export const contactScene = async (app: TestApp, callerName?: string) => {
  const fx = fixtures(app.app);
  const tenant = await fx.tenant();
  const caller = await fx.user(tenant.id, callerName ? { name: callerName } : {});
  const contactId = await fx.contact(tenant.id);
  return { tenant, caller, contactId, path: (query = '') => uploadPath('contact', contactId, query) };
};

export const uploadMultipart = (app: TestApp, apiKey: string, path: string, parts: MultipartPart[]) => {
  const { body, contentType } = multipartBody(parts);
  return app.http().post(path).set('Authorization', apiKey).set('Content-Type', contentType).send(body);
};

export const uploadRaw = (app: TestApp, apiKey: string, path: string, content: Buffer | string, headers: Record<string, string>) => {
  let request = app.http().post(path).set('Authorization', apiKey);
  for (const [name, value] of Object.entries(headers)) request = request.set(name, value);
  return request.send(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
};

/** Runs a request that must fail and checks that no file row, no event and no stored content came of it. */
export const nothingKeptBy = async <T>(app: TestApp, tenantId: number, request: () => PromiseLike<T>): Promise<T> => {
  const filesBefore = await filesUnder(app.config.filesDir);
  const rowsBefore = await fileRows(app.dataSource).ofTenant(tenantId);
  const result = await historyRows(app.dataSource).unchangedBy([tenantId], request);
  expect(await fileRows(app.dataSource).ofTenant(tenantId)).toEqual(rowsBefore);
  expect(await filesUnder(app.config.filesDir)).toEqual(filesBefore);
  return result;
};

/**
 * Sends a raw upload in chunks with Transfer-Encoding: chunked (no Content-Length), over a real
 * socket, so only the bytes themselves can tell the service the size; answers the status.
 */
export async function uploadChunked(app: TestApp, apiKey: string, path: string, fileName: string, chunks: Buffer[]): Promise<number> {
  const server = app.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise<number>((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: {
          Authorization: apiKey,
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="${fileName}"`,
          'Transfer-Encoding': 'chunked',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

/** Two small text files as multipart parts. */
export const twoTextParts: MultipartPart[] = [
  { field: 'a', filename: 'a.txt', contentType: 'text/plain', content: 'first' },
  { field: 'b', filename: 'b.txt', contentType: 'text/plain', content: 'second' },
];

/** POST /{type}/{id}/files/text with this key and body. */
export const postText = (app: TestApp, apiKey: string, type: string, id: number | string, body: unknown) =>
  app
    .http()
    .post(`/api/2.0/crm/${type}/${id}/files/text`)
    .set('Authorization', apiKey)
    .send(body as object);
