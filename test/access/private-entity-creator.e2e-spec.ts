import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectProblem, withoutId } from '../support/problem.js';
import { filesUnder } from '../support/stored-files.js';
import { postText, uploadRaw } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * An opportunity or case with an access list is private: only the users on the list (and
 * admins) read it. Its creator may edit it, but editing never opens reading: a creator who is not
 * on the list meets the record exactly like a missing one (see docs/contract.md, "Access rules").
 */
describe.each(['opportunity', 'case'] as const)('the creator of a private %s who is not on its access list', (type) => {
  const { t, f, rows, files, attach, attached } = useTestApp();

  /** A private record made by `creator`, listing only `listed`, with one event of `listed` carrying a file. */
  const scene = async () => {
    const tenant = await f.tenant();
    const creator = await f.user(tenant.id, { name: 'Cora Creator' });
    const listed = await f.user(tenant.id, { name: 'Lena Listed' });
    const recordId = await f.entity(type, tenant.id, creator.id, { access: [listed.id] });
    const listedFile = await f.file(listed, 'plan.txt', 'the plan');
    const eventId = await attached(listed.apiKey, type, recordId, [listedFile]);
    const creatorFile = await f.file(creator, 'mine.txt', 'mine');
    return { tenant, creator, listed, recordId, listedFile, eventId, creatorFile };
  };

  /** The answer for a missing record of the type, with its id taken out, to compare 404 bodies. */
  const missingBody = async (apiKey: string) => withoutId((await attach(apiKey, type, NO_SUCH_ID, { fileids: [1] })).body, NO_SUCH_ID);

  it('cannot list its files, nor read its history: 404 like a missing record', async () => {
    const { creator, listed, recordId } = await scene();

    const list = await t.http().get(`/api/2.0/crm/${type}/${recordId}/files`).set('Authorization', creator.apiKey);
    const history = await t
      .http()
      .get('/api/2.0/crm/history/filter')
      .query({ entityType: type, entityId: recordId })
      .set('Authorization', creator.apiKey);

    expectProblem(list, 404);
    expectProblem(history, 404);
    // The user on the list reads both.
    expect((await t.http().get(`/api/2.0/crm/${type}/${recordId}/files`).set('Authorization', listed.apiKey)).status).toBe(200);
    const listedHistory = await t
      .http()
      .get('/api/2.0/crm/history/filter')
      .query({ entityType: type, entityId: recordId })
      .set('Authorization', listed.apiKey);
    expect(listedHistory.status).toBe(200);
    expect(listedHistory.body).toHaveLength(1);
  });

  it('cannot attach its own file to it: 404 with the body of a missing record, and nothing is written', async () => {
    const { tenant, creator, recordId, creatorFile } = await scene();

    const response = await rows.unchangedBy([tenant.id], () => attach(creator.apiKey, type, recordId, { fileids: [creatorFile] }));

    expect(withoutId(expectProblem(response, 404), recordId)).toEqual(await missingBody(creator.apiKey));
  });

  it('cannot upload to it, write a text file on it, or post an event on it: 404 and nothing is kept', async () => {
    const { tenant, creator, recordId } = await scene();
    const filesBefore = await files.ofTenant(tenant.id);
    const contentsBefore = await filesUnder(t.config.filesDir);

    const answers = await rows.unchangedBy([tenant.id], async () => [
      await uploadRaw(t, creator.apiKey, `/api/2.0/crm/${type}/${recordId}/files/upload?attach=true`, 'x', {
        'Content-Type': 'text/plain',
        'Content-Disposition': 'attachment; filename="x.txt"',
      }),
      await postText(t, creator.apiKey, type, recordId, { title: 'x', content: 'y' }),
      await t
        .http()
        .post('/api/2.0/crm/history')
        .set('Authorization', creator.apiKey)
        .send({ content: 'x', categoryId: -1, entityType: type, entityId: recordId }),
    ]);

    for (const answer of answers) expectProblem(answer, 404);
    expect(await files.ofTenant(tenant.id)).toEqual(filesBefore);
    expect(await filesUnder(t.config.filesDir)).toEqual(contentsBefore);
  });

  it('cannot delete an event on it, nor download a file linked only to it: 404, and both stay', async () => {
    const { tenant, creator, listed, listedFile, eventId } = await scene();

    const remove = await rows.unchangedBy([tenant.id], () =>
      t.http().delete(`/api/2.0/crm/history/${eventId}`).set('Authorization', creator.apiKey),
    );
    const download = await t.http().get(`/api/2.0/crm/files/${listedFile}/content`).set('Authorization', creator.apiKey);

    expectProblem(remove, 404);
    expectProblem(download, 404);
    expect((await t.http().get(`/api/2.0/crm/files/${listedFile}/content`).set('Authorization', listed.apiKey)).status).toBe(200);
  });

  it('reads and attaches once put on the list', async () => {
    const { tenant, creator, recordId, creatorFile } = await scene();
    const onList = await f.entity(type, tenant.id, creator.id, { access: [creator.id] });

    expect((await attach(creator.apiKey, type, onList, { fileids: [creatorFile] })).status).toBe(200);
    expectProblem(await attach(creator.apiKey, type, recordId, { fileids: [creatorFile] }), 404);
  });
});
