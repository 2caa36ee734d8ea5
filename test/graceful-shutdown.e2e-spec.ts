import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './support/fixtures.js';
import { ensureBuilt, scratch, ServiceProcess, type Scratch } from './support/service-process.js';
import { slowRawUpload, slowRequest, type Answer } from './support/slow-request.js';
import { filesUnder } from './support/stored-files.js';
import { databaseKind } from './support/test-app.js';

/**
 * Real processes, signalled as a terminal or a supervisor does: requests in flight are answered,
 * the process exits 0 within SHUTDOWN_GRACE_MS, and nothing is left running; past the grace
 * period what remains is aborted without leaving rows or contents behind.
 */
describe('shutting down on SIGTERM and SIGINT', () => {
  let s: Scratch;
  let apiKey: string;
  let contactId: number;
  let fileIds: number[];
  let service: ServiceProcess | null = null;

  beforeAll(async () => {
    await ensureBuilt();
    s = await scratch(databaseKind());
    ({ apiKey, contactId, fileIds } = await s.withApp(async (app) => {
      const f = fixtures(app);
      const { tenantId } = await f.tenant();
      const user = await f.user(tenantId);
      return { apiKey: user.apiKey, contactId: await f.contact(tenantId), fileIds: await f.files(user, 3) };
    }));
  }, 120_000);
  afterEach(async () => {
    await service?.stop();
    service = null;
  });
  afterAll(async () => {
    await s?.drop();
  });

  const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: s.databaseUrl, FILES_DIR: s.filesDir, ...extra });
  const eventCount = async () => {
    const [row] = await s.dataSource.query('SELECT COUNT(*) AS n FROM history_events WHERE contact_id = ?', [contactId]);
    return Number(row.n);
  };
  const fileCount = async () => Number((await s.dataSource.query('SELECT COUNT(*) AS n FROM files'))[0].n);

  /** An attach whose JSON body is only half sent until finish(). */
  const slowAttach = (agent: Agent, url: string) => {
    const body = JSON.stringify({ fileids: fileIds });
    return slowRequest(agent, url, {
      path: `/api/2.0/crm/contact/${contactId}/files`,
      headers: { Authorization: apiKey, 'Content-Type': 'application/json' },
      first: body.slice(0, 5),
      rest: body.slice(5),
    });
  };
  const slowUpload = (agent: Agent, url: string, size: number) =>
    slowRawUpload(agent, url, { path: `/api/2.0/crm/contact/${contactId}/files/upload?attach=true`, apiKey, fileName: 'big.bin', size });

  it('`npm start`, 20 attaches in flight, SIGTERM to the process group: all answered 200, npm and node exit 0', async () => {
    service = await ServiceProcess.start({ env: env(), viaNpm: true });
    const events = await eventCount();
    const agent = new Agent({ keepAlive: true, maxSockets: 100 });
    // An idle keep-alive connection: the drain closes it rather than waiting for it.
    const idleAgent = new Agent({ keepAlive: true });
    const warmUp = await fetchVia(idleAgent, `${service.url}/health`);
    expect(warmUp.status).toBe(200);
    const idleSocketClosed = new Promise<void>((done) =>
      Object.values(idleAgent.freeSockets)
        .flat()[0]!
        .once('close', () => done()),
    );

    const inFlight = Array.from({ length: 20 }, () => slowAttach(agent, service!.url));
    await sleep(500);
    service.killGroup('SIGTERM');
    await idleSocketClosed;
    await sleep(300);
    for (const request of inFlight) request.finish();

    const answers: Answer[] = await Promise.all(inFlight.map((request) => request.answer)).catch((error) => {
      throw new Error(`${(error as Error).message}; the service said:\n${service!.output}`);
    });
    expect(answers.map((answer) => answer.status)).toStrictEqual(Array(20).fill(200));
    for (const answer of answers) {
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body).Files.map((file: { ID: number }) => file.ID)).toStrictEqual(fileIds);
    }
    expect(await service.waitForExit(10_000)).toStrictEqual({ code: 0, signal: null });
    expect(service.groupAlive()).toBe(false);
    expect(await eventCount()).toBe(events + 20);
    expect(service.output).toMatch(/Received SIGTERM: draining/);
    agent.destroy();
  }, 60_000);

  it('`node` alone, SIGINT twice while an upload is in flight: the upload completes and the process exits 0', async () => {
    service = await ServiceProcess.start({ env: env() });
    const files = await fileCount();
    const agent = new Agent({ keepAlive: true });
    const upload = slowUpload(agent, service.url, 256 * 1024);
    await sleep(500);
    process.kill(service.pid, 'SIGINT');
    await sleep(100);
    process.kill(service.pid, 'SIGINT');
    await sleep(300);
    upload.finish();
    const answer = await upload.answer;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ Name: 'big.bin', ContentLength: 256 * 1024 });
    expect(await service.waitForExit(10_000)).toStrictEqual({ code: 0, signal: null });
    expect(service.output).toMatch(/Received SIGINT again/);
    expect(await fileCount()).toBe(files + 1);
    expect((await filesUnder(s.filesDir)).filter((path) => path.startsWith('staging'))).toStrictEqual([]);
    agent.destroy();
  }, 60_000);

  it('past SHUTDOWN_GRACE_MS the requests left are aborted, leave no row and no content, and the exit is non-zero', async () => {
    service = await ServiceProcess.start({ env: env({ SHUTDOWN_GRACE_MS: '1000' }), viaNpm: true });
    const files = await fileCount();
    const events = await eventCount();
    const stored = await filesUnder(s.filesDir);
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const uploads = Array.from({ length: 3 }, () => slowUpload(agent, service!.url, 1024 * 1024));
    const attach = slowAttach(agent, service.url);
    await sleep(500);
    const signalled = Date.now();
    service.killGroup('SIGTERM');

    // Never finished: each connection is cut without an answer.
    for (const request of [...uploads, attach]) await expect(request.answer).rejects.toThrow();
    const exit = await service.waitForExit(10_000);
    expect(exit).not.toBe('timeout');
    expect((exit as { code: number }).code).not.toBe(0);
    expect(Date.now() - signalled).toBeLessThan(6_000);
    expect(service.groupAlive()).toBe(false);
    expect(service.output).toMatch(/Grace period over: aborting 4 request/);
    expect(await fileCount()).toBe(files);
    expect(await eventCount()).toBe(events);
    expect(await filesUnder(s.filesDir)).toStrictEqual(stored);
    agent.destroy();
  }, 60_000);
});

function fetchVia(agent: Agent, url: string): Promise<Answer> {
  const request = slowRequest(agent, url, { method: 'GET', path: new URL(url).pathname, headers: {}, first: '', rest: '' });
  request.finish();
  return request.answer;
}
