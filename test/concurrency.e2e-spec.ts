import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/use-test-app.js';

/**
 * Concurrent requests never lose or duplicate a link, event or file, and a request
 * that fails changes nothing. These race the writers that touch the same file.
 */
describe('concurrent writers on the same file', () => {
  const { t, f } = useTestApp();

  const scene = async () => {
    const { tenantId } = await f.tenant();
    const user = await f.user(tenantId);
    const [first, second] = [await f.contact(tenantId), await f.contact(tenantId)];
    const fileId = await f.file(user);
    const attached = await t
      .http()
      .post(`/api/2.0/crm/contact/${first}/files`)
      .set(user.auth)
      .send({ fileids: [fileId] });
    expect(attached.status).toBe(200);
    return { user, first, second, fileId, eventId: attached.body.ID as number };
  };

  const fileExists = async (fileId: number) => (await t.dataSource.query(`SELECT id FROM files WHERE id = ${fileId}`)).length === 1;
  const linkExists = async (eventId: number, fileId: number) =>
    (await t.dataSource.query(`SELECT event_id FROM event_files WHERE event_id = ${eventId} AND file_id = ${fileId}`)).length === 1;

  it('deleting the only event of a file while others attach it: no attach that answered 200 loses its link', async () => {
    for (let round = 0; round < 8; round++) {
      const { user, second, fileId, eventId } = await scene();
      const [deleteA, deleteB, attach, history] = await Promise.all([
        t.http().delete(`/api/2.0/crm/history/${eventId}`).set(user.auth),
        t.http().delete(`/api/2.0/crm/history/${eventId}`).set(user.auth),
        t
          .http()
          .post(`/api/2.0/crm/contact/${second}/files`)
          .set(user.auth)
          .send({ fileids: [fileId] }),
        t
          .http()
          .post('/api/2.0/crm/history')
          .set(user.auth)
          .send({ content: 'x', categoryId: -1, contactId: second, fileId: [fileId] }),
      ]);
      // One delete wins; the other finds nothing.
      expect([deleteA.status, deleteB.status].sort()).toEqual([200, 404]);
      for (const answer of [attach, history]) {
        expect([200, 404]).toContain(answer.status);
        if (answer.status === 200) {
          expect(answer.body.Files.map((file: { ID: number }) => file.ID)).toEqual([fileId]);
          expect(await linkExists(answer.body.ID, fileId)).toBe(true);
          expect(await fileExists(fileId)).toBe(true);
        } else {
          expect(answer.body.missingFileIds).toEqual([fileId]);
        }
      }
      // The file went only if nothing else links it now.
      const otherLinks = attach.status === 200 || history.status === 200;
      expect(await fileExists(fileId)).toBe(otherLinks);
    }
  });

  it('deleting one file five times at once: one 200, four 404', async () => {
    for (let round = 0; round < 4; round++) {
      const { user, fileId } = await scene();
      const answers = await Promise.all(Array.from({ length: 5 }, () => t.http().delete(`/api/2.0/crm/files/${fileId}`).set(user.auth)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 404, 404, 404, 404]);
      expect(await fileExists(fileId)).toBe(false);
    }
  });
});
