import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storageKeyForFile } from '../src/storage/file-storage.js';
import { fixtures } from './support/fixtures.js';
import { ensureBuilt, scratch, ServiceProcess, type Scratch } from './support/service-process.js';
import { slowRawUpload } from './support/slow-request.js';
import { filesUnder } from './support/stored-files.js';
import { databaseKind } from './support/test-app.js';

/**
 * kill -9 at each point where a crash could leave storage and rows disagreeing: mid-upload,
 * between the content move and the commit, between deleting a row and removing its content.
 * After a restart with a small STAGING_MAX_AGE_MS, storage holds exactly the contents of the rows.
 */
describe('after a crash and a restart', () => {
  let s: Scratch;
  let apiKey: string;
  let contactId: number;
  let deletable: number;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    s = await scratch(databaseKind());
    ({ apiKey, contactId, deletable } = await s.withApp(async (app) => {
      const f = fixtures(app);
      const { tenantId } = await f.tenant();
      const user = await f.user(tenantId);
      await f.files(user, 2);
      return { apiKey: user.apiKey, contactId: await f.contact(tenantId), deletable: await f.file(user, 'doomed.txt', 'bye') };
    }));
  }, 120_000);
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
  });
  afterAll(async () => {
    await s?.drop();
  });

  const start = async (env: Record<string, string> = {}) => {
    const service = await ServiceProcess.start({ env: { DATABASE_URL: s.databaseUrl, FILES_DIR: s.filesDir, ...env } });
    services.push(service);
    return service;
  };
  const rowKeys = async () => {
    const rows: { id: number; tenant_id: number }[] = await s.dataSource.query('SELECT id, tenant_id FROM files');
    return rows.map((row) => storageKeyForFile(Number(row.tenant_id), Number(row.id))).sort();
  };
  const upload = (agent: Agent, url: string, size: number) =>
    slowRawUpload(agent, url, { path: `/api/2.0/crm/contact/${contactId}/files/upload?attach=true`, apiKey, fileName: 'crash.bin', size });

  it('leaves no staged or partial content, no content without a row and no row without content', async () => {
    const rowsBefore = await rowKeys();
    expect(await filesUnder(s.filesDir)).toStrictEqual(rowsBefore);

    // 1. Mid-upload: five raw uploads half sent.
    let service = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const halfSent = Array.from({ length: 5 }, () => upload(agent, service.url, 2 * 1024 * 1024));
    for (const request of halfSent) request.answer.catch(() => undefined);
    await sleep(800);
    service.killGroup('SIGKILL');
    expect((await service.exited).signal).toBe('SIGKILL');
    // Each is written beside its final key, as `<key>.<uuid>.partial`, until its last byte.
    const partials = (await filesUnder(s.filesDir)).filter((path) => path.endsWith('.partial'));
    expect(partials).toHaveLength(5);

    // 2. Between writing the content under its final key and the commit.
    service = await start({ CRM_FILES_TEST_EXIT_AT: 'after-content-move' });
    const moved = upload(agent, service.url, 1024);
    moved.finish();
    await expect(moved.answer).rejects.toThrow();
    expect((await service.exited).signal).toBe('SIGKILL');
    const withoutRow = (await filesUnder(s.filesDir)).filter((path) => !path.endsWith('.partial') && !rowsBefore.includes(path));
    expect(withoutRow).toHaveLength(1);
    expect(await rowKeys()).toStrictEqual(rowsBefore);

    // 3. Mid-delete: the row is gone, its content not yet.
    service = await start({ CRM_FILES_TEST_EXIT_AT: 'after-row-delete' });
    const deleted = await fetch(`${service.url}/api/2.0/crm/files/${deletable}`, {
      method: 'DELETE',
      headers: { Authorization: apiKey },
    }).catch((error: Error) => error);
    expect(deleted).toBeInstanceOf(Error);
    expect((await service.exited).signal).toBe('SIGKILL');
    const rowsAfterDelete = await rowKeys();
    expect(rowsAfterDelete).toHaveLength(rowsBefore.length - 1);
    const deletedKey = rowsBefore.find((key) => !rowsAfterDelete.includes(key))!;
    expect(await filesUnder(s.filesDir)).toContain(deletedKey);
    agent.destroy();

    // A restart once everything left is older than STAGING_MAX_AGE_MS: the start-up pass runs before serving.
    await sleep(1_200);
    service = await start({ STAGING_MAX_AGE_MS: '1000' });
    expect(await filesUnder(s.filesDir)).toStrictEqual(rowsAfterDelete);
    expect(service.output).toMatch(/Removed 5 staged or partial content\(s\) and 2 content\(s\) without a file row/);
    const [{ n: events }] = await s.dataSource.query('SELECT COUNT(*) AS n FROM history_events WHERE contact_id = ?', [contactId]);
    expect(Number(events)).toBe(0);
  }, 120_000);

  it('leaves alone what is younger than STAGING_MAX_AGE_MS: an upload in progress completes', async () => {
    const service = await start({ STAGING_MAX_AGE_MS: '1000' });
    const agent = new Agent({ keepAlive: true });
    const slow = upload(agent, service.url, 64 * 1024);
    // Longer than the max age; the timer runs every second meanwhile, but the partial is being written.
    await sleep(1_500);
    slow.finish();
    const answer = await slow.answer;
    expect(answer.status).toBe(200);
    const id = JSON.parse(answer.body).ID as number;
    expect((await rowKeys()).map((key) => Number(key.split('/')[2]))).toContain(id);
    expect(await filesUnder(s.filesDir)).toStrictEqual(await rowKeys());
    agent.destroy();
  }, 60_000);
});
