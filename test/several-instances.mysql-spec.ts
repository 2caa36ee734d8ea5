import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeyForFile } from '../src/storage/file-storage.js';
import { fixtures } from './support/fixtures.js';
import { ensureBuilt, scratch, ServiceProcess, type Scratch } from './support/service-process.js';
import { filesUnder } from './support/stored-files.js';

/** What the checks read of an answer: the File's or event's id, and an event's files. */
interface AnswerBody {
  ID: number;
  Files: { ID: number }[];
}

type Op = { kind: 'attach' | 'upload' | 'post' | 'deleteEvent' | 'deleteFile'; instance: number; status: number; body: AnswerBody };

/**
 * Two real service processes on one MariaDB database and one storage folder, a few hundred
 * concurrent writes at the same records and files through both: every 200 is fully visible
 * afterwards, every failure left nothing, no link or event is lost or duplicated, no 500.
 */
describe('two instances on one database', () => {
  let s: Scratch;
  let instances: ServiceProcess[] = [];
  let apiKey: string;
  let tenantId: number;
  let contacts: number[];
  let initialFiles: number[];

  beforeAll(async () => {
    await ensureBuilt();
    s = await scratch('mysql');
    ({ apiKey, tenantId, contacts, initialFiles } = await s.withApp(async (app) => {
      const f = fixtures(app);
      const tenant = await f.tenant();
      const user = await f.user(tenant.tenantId);
      return {
        apiKey: user.apiKey,
        tenantId: tenant.tenantId,
        contacts: [await f.contact(tenant.tenantId), await f.contact(tenant.tenantId), await f.contact(tenant.tenantId)],
        initialFiles: await f.files(user, 30),
      };
    }));
    const env = { DATABASE_URL: s.databaseUrl, FILES_DIR: s.filesDir };
    instances = await Promise.all([ServiceProcess.start({ env }), ServiceProcess.start({ env })]);
  }, 120_000);
  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await s?.drop();
  });

  it('keeps every guarantee under a few hundred concurrent writes through both', async () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const pick = <T>(items: T[]) => items[random(items.length)];
    const createdEvents: number[] = [];
    const uploadedFiles: number[] = [];
    const ops: Op[] = [];

    const send = async (
      kind: Op['kind'],
      instance: number,
      method: string,
      path: string,
      body?: string,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${instances[instance].url}${path}`, { method, body, headers: { Authorization: apiKey, ...headers } });
      const text = await response.text();
      const op: Op = { kind, instance, status: response.status, body: JSON.parse(text || 'null') };
      ops.push(op);
      if (op.status === 200 && (kind === 'attach' || kind === 'upload' || kind === 'post')) {
        if (kind === 'upload') uploadedFiles.push(op.body.ID);
        else createdEvents.push(op.body.ID);
      }
    };
    const json = { 'Content-Type': 'application/json' };
    const operation = (n: number) => {
      const instance = n % 2;
      const choice = random(100);
      const contact = pick(contacts);
      if (choice < 35) {
        const fileids = [...new Set([pick(initialFiles), pick(initialFiles)])];
        return send('attach', instance, 'POST', `/api/2.0/crm/contact/${contact}/files`, JSON.stringify({ fileids }), json);
      }
      if (choice < 55) {
        return send('upload', instance, 'POST', `/api/2.0/crm/contact/${contact}/files/upload?attach=true`, `content ${n}`, {
          'Content-Type': 'text/plain',
          'Content-Disposition': `attachment; filename="upload-${n}.txt"`,
        });
      }
      if (choice < 70) {
        const body = JSON.stringify({ content: `note ${n}`, categoryId: -1, contactId: contact, fileId: [pick(initialFiles)] });
        return send('post', instance, 'POST', '/api/2.0/crm/history', body, json);
      }
      if (choice < 85 && createdEvents.length > 0) {
        return send('deleteEvent', instance, 'DELETE', `/api/2.0/crm/history/${pick(createdEvents)}`);
      }
      const candidates = uploadedFiles.length > 0 && random(2) === 0 ? uploadedFiles : initialFiles;
      return send('deleteFile', instance, 'DELETE', `/api/2.0/crm/files/${pick(candidates)}`);
    };

    // 300 operations, 40 in flight at any time.
    let next = 0;
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < 300) await operation(next++);
      }),
    );

    // No 500, and only the answers each operation may give when others race it.
    const unexpected = ops.filter((op) => op.status !== 200 && !(op.status === 404 && op.kind !== 'upload'));
    expect(unexpected, JSON.stringify(unexpected.slice(0, 5))).toStrictEqual([]);
    // Both instances served (many attaches lose to concurrent deletes and answer 404).
    expect(ops.filter((op) => op.instance === 0 && op.status === 200).length).toBeGreaterThan(20);
    expect(ops.filter((op) => op.instance === 1 && op.status === 200).length).toBeGreaterThan(20);
    // The races happened: some writers lost to a concurrent delete.
    expect(ops.some((op) => op.status === 404)).toBe(true);

    const ok = (kind: Op['kind']) => ops.filter((op) => op.kind === kind && op.status === 200);
    // Events: exactly those created with a 200, less those deleted with a 200.
    const deletedEvents = new Set(ok('deleteEvent').map((op) => op.body.ID as number));
    const createdWithFiles = [...ok('attach'), ...ok('upload'), ...ok('post')];
    const eventRows: { id: number }[] = await s.dataSource.query('SELECT id FROM history_events WHERE tenant_id = ?', [tenantId]);
    const expectedEvents = [...ok('attach'), ...ok('post')].map((op) => op.body.ID as number).filter((id) => !deletedEvents.has(id));
    // (An upload's answer is its file, not its event: its link is counted below.)
    expect(eventRows.length).toBe(createdWithFiles.length - deletedEvents.size);
    for (const id of expectedEvents) expect(eventRows.map((row) => Number(row.id))).toContain(id);

    // Files: each one missing is explained by a 200 delete of it or of the last event linking it.
    const fileRows: { id: number }[] = await s.dataSource.query('SELECT id FROM files WHERE tenant_id = ?', [tenantId]);
    const existing = new Set(fileRows.map((row) => Number(row.id)));
    const explained = new Set<number>([
      ...ok('deleteFile').map((op) => op.body.ID as number),
      ...ok('deleteEvent').flatMap((op) => (op.body.Files as { ID: number }[]).map((file) => file.ID)),
    ]);
    for (const id of [...initialFiles, ...uploadedFiles]) {
      if (!existing.has(id)) expect(explained, `file ${id} vanished`).toContain(id);
    }
    expect([...existing].every((id) => initialFiles.includes(id) || uploadedFiles.includes(id))).toBe(true);

    // Links: every 200 attach or event that still exists links exactly its files that still exist.
    const links: { event_id: number; file_id: number }[] = await s.dataSource.query(
      'SELECT l.event_id, l.file_id FROM event_files l JOIN history_events e ON e.id = l.event_id WHERE e.tenant_id = ?',
      [tenantId],
    );
    const linkSet = new Set(links.map((link) => `${link.event_id}/${link.file_id}`));
    expect(linkSet.size).toBe(links.length);
    let expectedLinks = 0;
    for (const op of [...ok('attach'), ...ok('post')]) {
      if (deletedEvents.has(op.body.ID)) continue;
      for (const file of op.body.Files as { ID: number }[]) {
        expect(linkSet.has(`${op.body.ID}/${file.ID}`)).toBe(existing.has(file.ID));
        if (existing.has(file.ID)) expectedLinks++;
      }
    }
    for (const op of ok('upload')) {
      if (existing.has(op.body.ID)) expectedLinks++;
    }
    expect(links.length).toBe(expectedLinks);

    // Storage holds exactly the contents of the rows: nothing staged, nothing orphaned.
    const allRows: { id: number; tenant_id: number }[] = await s.dataSource.query('SELECT id, tenant_id FROM files');
    expect(await filesUnder(s.filesDir)).toStrictEqual(
      allRows.map((row) => storageKeyForFile(Number(row.tenant_id), Number(row.id))).sort(),
    );
  }, 120_000);
});
