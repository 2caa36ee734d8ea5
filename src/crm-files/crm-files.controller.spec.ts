import { Readable } from 'node:stream';
import type { CallHandler } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { ApiKeysService } from '../auth/api-keys.service.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { ProblemDetailsFilter } from '../common/errors/problem-details.filter.js';
import { deferUnparsableContentTypes } from '../common/http/framework-errors.js';
import { registerBodyParsers } from '../common/http/json-body-parser.js';
import { RequestBodyInterceptor } from '../common/http/request-body.interceptor.js';
import { RequestValidationPipe } from '../common/validation/request-validation.pipe.js';
import type { CrmFile } from '../files/entities/crm-file.entity.js';
import { FilesService } from '../files/files.service.js';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { CrmFilesController } from './crm-files.controller.js';
import { CrmFilesService } from './crm-files.service.js';
import { AttachFilesDto } from './dto/attach-files.dto.js';

/**
 * The crm-files controller alone: its routes with the real guard, body parser, interceptor,
 * validation pipe and problem filter, and a mocked service. What reaches the service, and what
 * never does.
 */

const KEY = 'the-key';
const CALLER: AuthenticatedUser = {
  userId: 'a1111111-1111-4111-8111-11111111111a',
  tenantId: 7,
  isAdmin: false,
  apiKeyId: 3,
  employee: { Id: 'a1111111-1111-4111-8111-11111111111a', DisplayName: 'Caller', Title: null, AvatarSmall: null, ProfileUrl: null },
};
const EVENT = { ID: 1, Files: [] };
const FILE_DTO = { ID: 2, Name: 'notes.txt' };
const FILE: CrmFile = {
  id: 2,
  tenantId: 7,
  folderId: 1,
  name: 'notes.txt',
  contentType: 'text/plain',
  contentLength: 5,
  sha256: 'abc',
  version: 1,
  createdBy: CALLER.userId,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedBy: CALLER.userId,
  updatedAt: new Date('2026-01-01T00:00:00Z'),
} as CrmFile;

describe('CrmFilesController (slice: real pipes, guard and filter; mocked service)', () => {
  let app: NestFastifyApplication;
  const service = {
    attach: vi.fn(),
    listForRecord: vi.fn(),
    upload: vi.fn(),
    createText: vi.fn(),
    rootFolderId: vi.fn(),
    findForDownload: vi.fn(),
    delete: vi.fn(),
  };
  const files = { openContent: vi.fn() };

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      controllers: [CrmFilesController],
      providers: [
        { provide: CrmFilesService, useValue: service },
        { provide: FilesService, useValue: files },
        { provide: ApiKeysService, useValue: { authenticate: async (header?: string) => (header === KEY ? CALLER : null) } },
        // Limits off, and Idempotency-Key passed through: both have specs of their own.
        { provide: RateLimiter, useValue: { take: async () => null } },
        ApiKeyGuard,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestBodyInterceptor },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
    })
      .overrideInterceptor(IdempotencyInterceptor)
      .useValue({ intercept: (_context: unknown, next: CallHandler) => next.handle() })
      .compile();
    app = module.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ exposeHeadRoutes: false }), {
      logger: false,
      bodyParser: false,
    });
    const fastify = app.getHttpAdapter().getInstance();
    deferUnparsableContentTypes(fastify);
    registerBodyParsers(fastify, 1_000_000);
    await app.init();
    await fastify.ready();
  });
  afterAll(() => app?.close());
  beforeEach(() => vi.resetAllMocks());

  const http = () => supertest(app.getHttpServer());

  describe('POST {entityType}/{entityid}/files (attach)', () => {
    it('passes the caller, the record (type in lower case) and the validated body to the service, and answers 200 with its result', async () => {
      service.attach.mockResolvedValue(EVENT);
      const response = await http()
        .post('/api/2.0/crm/Contact/12/files')
        .set('Authorization', KEY)
        .send({ fileids: [3, 4], entityid: 12 });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(EVENT);
      expect(service.attach).toHaveBeenCalledTimes(1);
      const [caller, target, body] = service.attach.mock.calls[0];
      expect(caller).toEqual(CALLER);
      expect(target).toEqual({ type: 'contact', id: 12 });
      expect(body).toBeInstanceOf(AttachFilesDto);
      expect(body).toEqual({ fileids: [3, 4], entityid: 12 });
    });

    it('answers 401 without a valid key, before judging the path or the body', async () => {
      const response = await http().post('/api/2.0/crm/lead/0/files').set('Authorization', 'wrong').send({ fileids: 'x' });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(service.attach).not.toHaveBeenCalled();
    });

    it('answers 400 naming both path parameters when both are invalid', async () => {
      const response = await http()
        .post('/api/2.0/crm/lead/01/files')
        .set('Authorization', KEY)
        .send({ fileids: [1] });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['entityType', 'entityid']);
      expect(service.attach).not.toHaveBeenCalled();
    });

    it.each([
      ['an empty list', { fileids: [] }],
      ['a string id', { fileids: ['1'] }],
      ['id 0', { fileids: [0] }],
      ['an id above 2147483647', { fileids: [2147483648] }],
      ['no fileids', {}],
    ])('answers 400 on fileids for %s, without calling the service', async (_name, body) => {
      const response = await http().post('/api/2.0/crm/contact/1/files').set('Authorization', KEY).send(body);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'fileids', message: expect.any(String) }]);
      expect(service.attach).not.toHaveBeenCalled();
    });

    it('answers 400 for a property the body does not have', async () => {
      const response = await http()
        .post('/api/2.0/crm/contact/1/files')
        .set('Authorization', KEY)
        .send({ fileids: [1], extra: true });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'extra', message: expect.any(String) }]);
      expect(service.attach).not.toHaveBeenCalled();
    });

    it('answers 415 for a body that is not JSON, and 400 for malformed JSON', async () => {
      const text = await http()
        .post('/api/2.0/crm/contact/1/files')
        .set('Authorization', KEY)
        .set('Content-Type', 'text/plain')
        .send('fileids=1');
      expect(text.status).toBe(415);
      const malformed = await http()
        .post('/api/2.0/crm/contact/1/files')
        .set('Authorization', KEY)
        .set('Content-Type', 'application/json')
        .send('{"fileids":');
      expect(malformed.status).toBe(400);
      expect(malformed.body.type).toBe('/problems/malformed-json');
      expect(service.attach).not.toHaveBeenCalled();
    });

    it('answers with the problem an ApiError from the service carries', async () => {
      const { FilesNotFoundError } = await import('../common/errors/api-error.js');
      service.attach.mockRejectedValue(new FilesNotFoundError([8, 9]));
      const response = await http()
        .post('/api/2.0/crm/case/1/files')
        .set('Authorization', KEY)
        .send({ fileids: [8, 9] });
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ type: '/problems/files-not-found', missingFileIds: [8, 9] });
    });
  });

  describe('GET {entityType}/{entityid}/files (list)', () => {
    it('passes the parsed page and sends the total in X-Total-Count', async () => {
      service.listForRecord.mockResolvedValue({ items: [FILE_DTO], total: 41 });
      const response = await http().get('/api/2.0/crm/opportunity/5/files?startIndex=10&count=5').set('Authorization', KEY);
      expect(response.status).toBe(200);
      expect(response.body).toEqual([FILE_DTO]);
      expect(response.headers['x-total-count']).toBe('41');
      expect(service.listForRecord).toHaveBeenCalledWith(CALLER, { type: 'opportunity', id: 5 }, { startIndex: 10, count: 5 });
    });

    it('answers 400 for a page size out of range, without calling the service', async () => {
      const response = await http().get('/api/2.0/crm/opportunity/5/files?count=0').set('Authorization', KEY);
      expect(response.status).toBe(400);
      expect(service.listForRecord).not.toHaveBeenCalled();
    });
  });

  describe('POST {entityType}/{entityid}/files/upload', () => {
    it.each([
      [undefined, false],
      ['false', false],
      ['true', true],
    ])('reads attach=%s as %s', async (attach, expected) => {
      service.upload.mockResolvedValue(FILE_DTO);
      const url = `/api/2.0/crm/case/3/files/upload${attach === undefined ? '' : `?attach=${attach}`}`;
      const response = await http()
        .post(url)
        .set('Authorization', KEY)
        .set('Content-Type', 'text/plain')
        .set('Content-Disposition', 'attachment; filename="a.txt"')
        .send('hello');
      expect(response.status).toBe(200);
      expect(response.body).toEqual(FILE_DTO);
      expect(service.upload).toHaveBeenCalledWith(CALLER, { type: 'case', id: 3 }, expect.anything(), expected);
    });

    it.each(['1', 'TRUE', 'yes', ''])('answers 400 on attach for attach=%s', async (attach) => {
      const response = await http()
        .post(`/api/2.0/crm/case/3/files/upload?attach=${attach}`)
        .set('Authorization', KEY)
        .set('Content-Type', 'text/plain')
        .send('x');
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'attach', message: 'attach must be true or false' }]);
      expect(service.upload).not.toHaveBeenCalled();
    });
  });

  describe('POST {entityType}/{entityid}/files/text', () => {
    it('passes the validated body', async () => {
      service.createText.mockResolvedValue(FILE_DTO);
      const response = await http()
        .post('/api/2.0/crm/contact/9/files/text')
        .set('Authorization', KEY)
        .send({ title: 'Notes', content: 'Hello' });
      expect(response.status).toBe(200);
      expect(service.createText).toHaveBeenCalledWith(CALLER, { type: 'contact', id: 9 }, { title: 'Notes', content: 'Hello' });
    });

    it('answers 400 when content is not a string', async () => {
      const response = await http()
        .post('/api/2.0/crm/contact/9/files/text')
        .set('Authorization', KEY)
        .send({ title: 'Notes', content: 5 });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'content', message: expect.any(String) }]);
      expect(service.createText).not.toHaveBeenCalled();
    });
  });

  describe('GET files/root', () => {
    it('answers the id as a bare JSON integer', async () => {
      service.rootFolderId.mockResolvedValue(17);
      const response = await http().get('/api/2.0/crm/files/root').set('Authorization', KEY);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.text).toBe('17');
    });
  });

  describe('GET files/{fileid}/content', () => {
    beforeEach(() => {
      service.findForDownload.mockResolvedValue(FILE);
      files.openContent.mockImplementation((_file: CrmFile, range?: { start: number; end: number }) =>
        Readable.from([Buffer.from('hello').subarray(range?.start ?? 0, (range?.end ?? 4) + 1)]),
      );
    });

    it('streams the content with its ETag and disposition', async () => {
      const response = await http().get('/api/2.0/crm/files/2/content').set('Authorization', KEY).buffer(true);
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"abc"');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="notes.txt"/);
      expect(response.headers['content-length']).toBe('5');
      expect(service.findForDownload).toHaveBeenCalledWith(CALLER, 2);
    });

    it('answers 206 with the range asked for', async () => {
      const response = await http().get('/api/2.0/crm/files/2/content').set('Authorization', KEY).set('Range', 'bytes=1-2').buffer(true);
      expect(response.status).toBe(206);
      expect(response.headers['content-range']).toBe('bytes 1-2/5');
      expect(files.openContent).toHaveBeenCalledWith(FILE, { start: 1, end: 2 });
    });

    it('answers 416 as a problem with Content-Range, without opening the content', async () => {
      const response = await http().get('/api/2.0/crm/files/2/content').set('Authorization', KEY).set('Range', 'bytes=5-');
      expect(response.status).toBe(416);
      expect(response.headers['content-range']).toBe('bytes */5');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers.etag).toBeUndefined();
      expect(response.body).toEqual({
        type: '/problems/range-not-satisfiable',
        title: 'Range Not Satisfiable',
        status: 416,
        detail: 'The file has 5 bytes.',
      });
      expect(files.openContent).not.toHaveBeenCalled();
    });

    it('answers 400 for an id that is not plain decimal', async () => {
      const response = await http().get('/api/2.0/crm/files/01/content').set('Authorization', KEY);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'fileid', message: expect.any(String) }]);
      expect(service.findForDownload).not.toHaveBeenCalled();
    });
  });

  describe('DELETE files/{fileid}', () => {
    it('passes the id as a number', async () => {
      service.delete.mockResolvedValue(FILE_DTO);
      const response = await http().delete('/api/2.0/crm/files/2147483647').set('Authorization', KEY);
      expect(response.status).toBe(200);
      expect(service.delete).toHaveBeenCalledWith(CALLER, 2147483647);
    });
  });
});
