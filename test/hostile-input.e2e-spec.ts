import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTED_ERRORS } from '../src/common/errors/capped-errors.js';
import { MAX_JSON_DEPTH } from '../src/common/http/json-depth.js';
import { fixtures } from './support/fixtures.js';
import { historyRows } from './support/history-rows.js';
import { expectProblem } from './support/problem.js';
import { binaryParser, fileRows, filesUnder, multipartBody } from './support/stored-files.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * What an adversarial black-box probe found, each case pinned: deeply nested JSON, client
 * aborts, invisible characters and smuggled parameters in file names, active content served
 * unsandboxed, amplifying error bodies, JSON in another charset.
 */

/** A log line the application wrote, with its level. */
interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
}

/** A Nest logger that keeps what it is given, so that tests can read what the service logged. */
class CapturingLogger implements LoggerService {
  readonly lines: LogLine[] = [];
  log = (message: unknown) => this.keep('log', message);
  error = (message: unknown) => this.keep('error', message);
  warn = (message: unknown) => this.keep('warn', message);
  debug = (message: unknown) => this.keep('debug', message);
  verbose = (message: unknown) => this.keep('verbose', message);
  fatal = (message: unknown) => this.keep('fatal', message);
  private keep(level: LogLine['level'], message: unknown) {
    this.lines.push({ level, message: String(message) });
  }
}

const nested = (open: string, close: string, depth: number, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

describe('hostile input', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let logs: CapturingLogger;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t.app);
    logs = new CapturingLogger();
    t.app.useLogger(logs);
  });
  afterAll(() => t?.close());
  afterEach(() => {
    logs.lines.length = 0;
  });

  /** A tenant, a member who may read the contact, one file of the member's. */
  const scene = async () => {
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(caller);
    return { tenant, caller, contactId, fileId, contactPath: `/api/2.0/crm/contact/${contactId}` };
  };

  /** Runs a request that must change nothing: no event, no link, no file row, no stored content. */
  const nothingChangedBy = async <T>(tenantId: number, request: () => PromiseLike<T>): Promise<T> => {
    const storedBefore = await filesUnder(t.config.filesDir);
    const rowsBefore = await fileRows(t.dataSource).ofTenant(tenantId);
    const result = await historyRows(t.dataSource).unchangedBy([tenantId], request);
    expect(await fileRows(t.dataSource).ofTenant(tenantId)).toEqual(rowsBefore);
    expect(await filesUnder(t.config.filesDir)).toEqual(storedBefore);
    return result;
  };

  const postJson = (apiKey: string, path: string, text: string, contentType = 'application/json') =>
    t.http().post(path).set('Authorization', apiKey).set('Content-Type', contentType).send(text);

  describe('deeply nested JSON is a 400 at parse time, never a 500', () => {
    const bodies = [
      ['10,000 nested arrays', (key: string) => `{"${key}":${nested('[', ']', 10_000)}}`],
      ['3,000 nested objects', (key: string) => `{"${key}":${nested('{"a":', '}', 3_000)}}`],
      ['one level too deep', (key: string) => `{"${key}":${nested('[', ']', MAX_JSON_DEPTH)}}`],
      ['unbalanced: only opening brackets', (key: string) => `{"${key}":${'['.repeat(10_000)}`],
    ] as const;

    it.each(bodies)('POST .../files (attach) with %s', async (_name, body) => {
      const { tenant, caller, contactPath } = await scene();
      const response = await nothingChangedBy(tenant.id, () => postJson(caller.apiKey, `${contactPath}/files`, body('fileids')));
      expect(expectProblem(response, 400).detail).toMatch(/nests|JSON/);
      expect(logs.lines.filter((line) => line.level === 'error')).toEqual([]);
    });

    it.each(bodies)('POST .../files/text with %s', async (_name, body) => {
      const { tenant, caller, contactPath } = await scene();
      const response = await nothingChangedBy(tenant.id, () => postJson(caller.apiKey, `${contactPath}/files/text`, body('title')));
      expectProblem(response, 400);
    });

    it.each(bodies)('POST /history with %s', async (_name, body) => {
      const { tenant, caller } = await scene();
      const response = await nothingChangedBy(tenant.id, () => postJson(caller.apiKey, '/api/2.0/crm/history', body('content')));
      expectProblem(response, 400);
    });

    it(`names the limit: ${MAX_JSON_DEPTH} levels pass to validation, one more is refused before it`, async () => {
      const { tenant, caller, contactPath } = await scene();
      // The object is level 1, so the array holds MAX_JSON_DEPTH - 1 levels of arrays.
      const atLimit = await nothingChangedBy(tenant.id, () =>
        postJson(caller.apiKey, `${contactPath}/files`, `{"fileids":${nested('[', ']', MAX_JSON_DEPTH - 1)}}`),
      );
      expect(expectProblem(atLimit, 400).errors?.map((error) => error.field)).toContain('fileids');
      const over = await postJson(caller.apiKey, `${contactPath}/files`, `{"fileids":${nested('[', ']', MAX_JSON_DEPTH)}}`);
      expect(expectProblem(over, 400).detail).toBe(`The JSON body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`);
    });

    it('brackets inside strings are text, not nesting: a title of 10,000 "[" is stored', async () => {
      const { caller, contactPath } = await scene();
      const response = await postJson(
        caller.apiKey,
        `${contactPath}/files/text`,
        JSON.stringify({ title: 'brackets', content: `[{\\"${'['.repeat(10_000)}` }),
      );
      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('brackets.txt');
    });
  });

  describe('a client that closes the connection mid-request is not a database outage', () => {
    /** Sends the head and part of a body on a raw socket to the listening app, then closes it. */
    const abortMidway = async (path: string, headers: Record<string, string>, firstBytes: Buffer) => {
      const server = t.app.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const head = [
        `POST ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        '',
        '',
      ];
      socket.write(head.join('\r\n'));
      socket.write(firstBytes);
      // Let the service start reading (and streaming to storage) before the client goes away.
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.destroy();
    };

    /** Waits until the service has logged the abort (or a while has passed). */
    const settle = async () => {
      for (let waited = 0; waited < 5_000 && !logs.lines.some((line) => /abort/i.test(line.message)); waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Clean-up of staged content happens just after the log line.
      await new Promise((resolve) => setTimeout(resolve, 200));
    };

    const expectLoggedAsClientAbort = () => {
      expect(logs.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
      expect(logs.lines.map((line) => line.message).join('\n')).not.toMatch(/Database unavailable/i);
      expect(logs.lines).toContainEqual({ level: 'log', message: expect.stringMatching(/^Client aborted the request/) });
    };

    it('a raw upload cut off after 64 KiB of 1 MiB: logged as a client abort, nothing kept', async () => {
      const { tenant, caller, contactPath } = await scene();
      await nothingChangedBy(tenant.id, async () => {
        await abortMidway(
          `${contactPath}/files/upload?attach=true`,
          {
            Authorization: caller.apiKey,
            'Content-Type': 'application/octet-stream',
            'Content-Disposition': 'attachment; filename="cut.bin"',
            'Content-Length': String(1 << 20),
          },
          Buffer.alloc(64 * 1024, 7),
        );
        await settle();
      });
      expectLoggedAsClientAbort();
    });

    it('a multipart upload cut off inside its file part: logged as a client abort, nothing kept', async () => {
      const { tenant, caller, contactPath } = await scene();
      const { body, contentType } = multipartBody([
        { field: 'file', filename: 'cut.bin', contentType: 'application/octet-stream', content: Buffer.alloc(256 * 1024, 7) },
      ]);
      await nothingChangedBy(tenant.id, async () => {
        await abortMidway(
          `${contactPath}/files/upload?attach=true`,
          { Authorization: caller.apiKey, 'Content-Type': contentType, 'Content-Length': String(body.length) },
          body.subarray(0, 64 * 1024),
        );
        await settle();
      });
      expectLoggedAsClientAbort();
    });

    it('a JSON body cut off before its end: logged as a client abort, nothing kept', async () => {
      const { tenant, caller, contactPath, fileId } = await scene();
      const body = Buffer.from(JSON.stringify({ fileids: [fileId] }));
      await nothingChangedBy(tenant.id, async () => {
        await abortMidway(
          `${contactPath}/files`,
          { Authorization: caller.apiKey, 'Content-Type': 'application/json', 'Content-Length': String(body.length + 100) },
          body.subarray(0, 5),
        );
        await settle();
      });
      expectLoggedAsClientAbort();
    });
  });

  describe('file names lose invisible format characters (bidirectional overrides, zero-width characters, BOM)', () => {
    const tricky = ['invoice\u202Egpj.exe', '\uFEFFinvoice\u200B.pdf', 'a\u2066b\u2069\u200Dc\u061C.txt', 'line\u2028break.txt'];
    const cleaned = ['invoicegpj.exe', 'invoice.pdf', 'abc.txt', 'linebreak.txt'];

    it.each(tricky.map((name, index) => [name, cleaned[index]]))(
      'multipart filename %j is stored and listed as %j',
      async (name, expected) => {
        const { caller, contactPath } = await scene();
        const { body, contentType } = multipartBody([{ field: 'file', filename: name, contentType: 'text/plain', content: 'x' }]);
        const response = await t
          .http()
          .post(`${contactPath}/files/upload?attach=true`)
          .set('Authorization', caller.apiKey)
          .set('Content-Type', contentType)
          .send(body);
        expect(response.status).toBe(200);
        expect(response.body.Name).toBe(expected);
        expect((await fileRows(t.dataSource).byId(response.body.ID))?.name).toBe(expected);
        const listed = await t.http().get(`${contactPath}/files`).set('Authorization', caller.apiKey);
        expect(listed.body.map((file: { Name: string }) => file.Name)).toEqual([expected]);
      },
    );

    it.each(tricky.map((name, index) => [name, cleaned[index]]))("raw filename*=UTF-8''%j is stored as %j", async (name, expected) => {
      const { caller, contactPath } = await scene();
      const response = await t
        .http()
        .post(`${contactPath}/files/upload`)
        .set('Authorization', caller.apiKey)
        .set('Content-Type', 'text/plain')
        .set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(Buffer.from('x'));
      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(expected);
    });

    it('a text file title loses them too', async () => {
      const { caller, contactPath } = await scene();
      const response = await t
        .http()
        .post(`${contactPath}/files/text`)
        .set('Authorization', caller.apiKey)
        .send({ title: 'notes\u202Etxt.exe\u200B', content: 'x' });
      expect(response.status).toBe(200);
      expect(response.body.Name).toBe('notestxt.exe.txt');
    });

    it('a name of nothing but format characters is empty once cleaned: 400, nothing kept', async () => {
      const { tenant, caller, contactPath } = await scene();
      const { body, contentType } = multipartBody([
        { field: 'file', filename: '\u202E\u200B\uFEFF', contentType: 'text/plain', content: 'x' },
      ]);
      const response = await nothingChangedBy(tenant.id, () =>
        t.http().post(`${contactPath}/files/upload`).set('Authorization', caller.apiKey).set('Content-Type', contentType).send(body),
      );
      expectProblem(response, 400);
    });
  });

  describe('Content-Disposition of a raw upload is parsed as RFC 6266: no smuggled parameters', () => {
    const rawUpload = (apiKey: string, path: string, disposition: string) =>
      t
        .http()
        .post(`${path}/files/upload`)
        .set('Authorization', apiKey)
        .set('Content-Type', 'text/plain')
        .set('Content-Disposition', disposition)
        .send(Buffer.from('x'));

    it.each([
      [`attachment; filename="safe.txt"; x="; filename*=UTF-8''evil.exe"`, 'safe.txt'],
      [`attachment; filename="a.txt; filename*=UTF-8''evil.exe"`, `a.txt; filename*=UTF-8''evil.exe`],
      [`attachment; x="filename*=UTF-8''evil.exe"; filename=plain.txt`, 'plain.txt'],
      [`attachment; filename="fallback.txt"; filename*=UTF-8''real%20name.txt`, 'real name.txt'],
      [`attachment; filename*=UTF-8''real.txt; filename="fallback.txt"`, 'real.txt'],
      [`ATTACHMENT ; FILENAME = "upper.txt"`, 'upper.txt'],
      [`inline; filename="quoted \\"name\\".txt"`, 'quoted "name".txt'],
    ])('%s → stored as %j', async (disposition, expected) => {
      const { caller, contactPath } = await scene();
      const response = await rawUpload(caller.apiKey, contactPath, disposition);
      expect(response.status).toBe(200);
      expect(response.body.Name).toBe(expected);
      expect((await fileRows(t.dataSource).byId(response.body.ID))?.name).toBe(expected);
    });

    it.each([
      'attachment; filename="unterminated.txt',
      'attachment; filename',
      'attachment; filename=',
      'attachment; filename="a.txt"; filename="b.txt"',
      'attachment; FILENAME="a.txt"; filename="b.txt"',
      '; filename="a.txt"',
      'attachment; filename="a.txt" trailing',
      'attachment; filename=two words.txt',
      'attachment; filename="a.txt";',
      "attachment; filename*=UTF-8''%ZZ.txt",
      "attachment; filename*=x-evil''a.txt",
      "attachment; filename*=UTF-8''%FF%FE.txt",
      'attachment; filename*=a.txt',
    ])('malformed %s → 400 naming Content-Disposition, nothing kept', async (disposition) => {
      const { tenant, caller, contactPath } = await scene();
      const response = await nothingChangedBy(tenant.id, () => rawUpload(caller.apiKey, contactPath, disposition));
      expect(expectProblem(response, 400).errors).toEqual([{ field: 'Content-Disposition', message: expect.any(String) }]);
    });
  });

  describe('downloads are sandboxed', () => {
    const CSP = "default-src 'none'; sandbox";

    it.each([
      ['harmless.txt', 'text/html', '<script>alert(1)</script>'],
      ['drawing.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
      ['page.xhtml', 'application/xhtml+xml', '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'],
    ])('%s uploaded as %s: every answer carries Content-Security-Policy: %s', async (name, type, content) => {
      const { caller, contactPath } = await scene();
      const uploaded = await t
        .http()
        .post(`${contactPath}/files/upload`)
        .set('Authorization', caller.apiKey)
        .set('Content-Type', type)
        .set('Content-Disposition', `attachment; filename="${name}"`)
        .send(Buffer.from(content));
      expect(uploaded.status).toBe(200);
      const url = `/api/2.0/crm/files/${uploaded.body.ID}/content`;
      const whole = await t.http().get(url).set('Authorization', caller.apiKey).buffer(true).parse(binaryParser);
      expect(whole.status).toBe(200);
      expect(whole.headers).toMatchObject({ 'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
      expect(whole.headers['content-disposition']).toMatch(/^attachment;/);
      const part = await t.http().get(url).set('Authorization', caller.apiKey).set('Range', 'bytes=0-3').buffer(true).parse(binaryParser);
      expect(part.status).toBe(206);
      expect(part.headers['content-security-policy']).toBe(CSP);
      const unchanged = await t.http().get(url).set('Authorization', caller.apiKey).set('If-None-Match', whole.headers.etag);
      expect(unchanged.status).toBe(304);
      expect(unchanged.headers['content-security-policy']).toBe(CSP);
    });
  });

  describe('error bodies do not amplify', () => {
    it('30,000 unknown properties (about 400 KB): 400 listing the first 50, counting the rest, smaller than the request', async () => {
      const { tenant, caller, contactPath, fileId } = await scene();
      const body: Record<string, unknown> = { fileids: [fileId] };
      for (let i = 0; i < 30_000; i++) body[`unknown_property_${i}`] = i;
      const text = JSON.stringify(body);
      const response = await nothingChangedBy(tenant.id, () => postJson(caller.apiKey, `${contactPath}/files`, text));
      const problem = expectProblem(response, 400) as ReturnType<typeof expectProblem> & { errorsOmitted?: number };
      expect(problem.errors).toHaveLength(MAX_LISTED_ERRORS);
      expect(problem.errors?.[0]).toEqual({ field: 'unknown_property_0', message: expect.stringContaining('unknown_property_0') });
      expect(problem.errorsOmitted).toBe(30_000 - MAX_LISTED_ERRORS);
      expect(Buffer.byteLength(response.text)).toBeLessThan(Buffer.byteLength(text));
      expect(Buffer.byteLength(response.text)).toBeLessThan(16 * 1024);
    });

    it('50 unknown properties with 2,000-character names: each entry is cut, the answer is smaller than the request', async () => {
      const { caller, contactPath, fileId } = await scene();
      const body: Record<string, unknown> = { fileids: [fileId] };
      for (let i = 0; i < 50; i++) body[`${String(i).padStart(2, '0')}${'n'.repeat(2_000)}`] = 1;
      const text = JSON.stringify(body);
      const response = await postJson(caller.apiKey, `${contactPath}/files`, text);
      const problem = expectProblem(response, 400) as ReturnType<typeof expectProblem> & { errorsOmitted?: number };
      expect(problem.errors).toHaveLength(50);
      expect(problem.errorsOmitted).toBeUndefined();
      for (const error of problem.errors ?? []) {
        expect(error.field.length).toBeLessThanOrEqual(100);
        expect(error.message.length).toBeLessThanOrEqual(100);
      }
      expect(Buffer.byteLength(response.text)).toBeLessThan(Buffer.byteLength(text) / 5);
    });

    it('a handful of invalid fields are all listed, with no count', async () => {
      const { caller, contactPath } = await scene();
      const response = await postJson(caller.apiKey, `${contactPath}/files`, JSON.stringify({ fileids: 'x', a: 1, b: 2 }));
      const problem = expectProblem(response, 400) as ReturnType<typeof expectProblem> & { errorsOmitted?: number };
      expect(problem.errors?.map((error) => error.field).sort()).toEqual(['a', 'b', 'fileids']);
      expect(problem).not.toHaveProperty('errorsOmitted');
    });
  });

  describe('a JSON body is UTF-8: any other declared charset is 415', () => {
    it.each([
      'application/json; charset=utf-16',
      'application/json; charset=x-evil',
      'application/json; charset="UTF-16LE"',
      'application/json;charset=iso-8859-1',
    ])('attach with %s → 415, nothing changed', async (contentType) => {
      const { tenant, caller, contactPath, fileId } = await scene();
      const response = await nothingChangedBy(tenant.id, () =>
        postJson(caller.apiKey, `${contactPath}/files`, JSON.stringify({ fileids: [fileId] }), contentType),
      );
      expect(expectProblem(response, 415).detail).toMatch(/UTF-8/);
    });

    it.each(['application/json; charset=x-evil', 'application/json; charset=utf-16'])(
      'text and history with %s → 415, nothing changed',
      async (contentType) => {
        const { tenant, caller, contactPath, contactId } = await scene();
        const text = await nothingChangedBy(tenant.id, () =>
          postJson(caller.apiKey, `${contactPath}/files/text`, JSON.stringify({ title: 'a', content: 'b' }), contentType),
        );
        expectProblem(text, 415);
        const history = await nothingChangedBy(tenant.id, () =>
          postJson(caller.apiKey, '/api/2.0/crm/history', JSON.stringify({ content: 'c', contactId }), contentType),
        );
        expectProblem(history, 415);
      },
    );

    it.each(['application/json', 'application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'Application/JSON;Charset=Utf-8'])(
      'attach with %s → 200',
      async (contentType) => {
        const { caller, contactPath, fileId } = await scene();
        const response = await postJson(caller.apiKey, `${contactPath}/files`, JSON.stringify({ fileids: [fileId] }), contentType);
        expect(response.status).toBe(200);
      },
    );

    it('a file uploaded raw as application/json; charset=utf-16 is a file, not a JSON body: stored', async () => {
      const { caller, contactPath } = await scene();
      const response = await t
        .http()
        .post(`${contactPath}/files/upload`)
        .set('Authorization', caller.apiKey)
        .set('Content-Type', 'application/json; charset=utf-16')
        .set('Content-Disposition', 'attachment; filename="wide.json"')
        // Sent as the bytes given, not serialized as JSON by the client.
        .serialize((bytes: Buffer) => bytes as unknown as string)
        .send(Buffer.from('{}', 'utf16le'));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ Name: 'wide.json', ContentType: 'application/json; charset=utf-16', ContentLength: 4 });
    });
  });
});
