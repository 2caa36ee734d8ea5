import { describe, expect, it } from 'vitest';
import { ShareType } from '../../src/records/entities/share-type.js';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { storedExists } from '../support/stored-files.js';
import { useTestApp } from '../support/use-test-app.js';

/** DELETE /api/2.0/crm/files/{fileid}: deleting a file, its content and its links. */

describe('DELETE /files/{fileid}', () => {
  const { t, f, rows, files, attached } = useTestApp();

  const remove = (apiKey: string, fileId: number | string) => t.http().delete(`/api/2.0/crm/files/${fileId}`).set('Authorization', apiKey);
  const contentExists = (tenantId: number, fileId: number) => storedExists(t.config.filesDir, t.storageKey(tenantId, fileId));

  it('given the creator, the answer is 200 with the File as it was; the row, links and content are gone; the events stay', async () => {
    const [demo] = await f.demo();
    const [fileId, keep] = demo.files.member;
    const first = await attached(demo.users.member.apiKey, 'contact', demo.contacts.person, [fileId, keep]);
    const second = await attached(demo.users.member.apiKey, 'case', demo.cases.public, [fileId]);
    const listed = await t.http().get(`/api/2.0/crm/case/${demo.cases.public}/files`).set('Authorization', demo.users.member.apiKey);
    expect(await contentExists(demo.id, fileId)).toBe(true);

    const response = await remove(demo.users.member.apiKey, fileId);

    expect(response.status).toBe(200);
    expect(response.body).toStrictEqual(listed.body[0]);
    expect(response.body).toMatchObject({ ID: fileId, Name: 'meeting-minutes.txt' });
    expect(await files.byId(fileId)).toBeNull();
    expect(await contentExists(demo.id, fileId)).toBe(false);
    expect(await contentExists(demo.id, keep)).toBe(true);
    expect((await rows.events(demo.id)).map((event) => event.id)).toEqual([first, second]);
    expect(await rows.links(demo.id)).toEqual([{ eventId: first, fileId: keep, position: 1 }]);
    const download = await t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', demo.users.member.apiKey);
    expectProblem(download, 404);
    expectProblem(await remove(demo.users.member.apiKey, fileId), 404);
  });

  it("given an admin, any user's file may be deleted", async () => {
    const [demo] = await f.demo();
    const fileId = demo.files.outsider[0];

    const response = await remove(demo.users.admin.apiKey, fileId);

    expect(response.status).toBe(200);
    expect(response.body.CreatedBy.Id).toBe(demo.users.outsider.id);
    expect(await files.byId(fileId)).toBeNull();
    expect(await contentExists(demo.id, fileId)).toBe(false);
  });

  it("given a member reading the admin's file through an event on a public contact, the answer is 403 and nothing changes", async () => {
    const [demo] = await f.demo();
    const fileId = demo.files.admin[0];
    const eventId = await attached(demo.users.admin.apiKey, 'contact', demo.contacts.person, [fileId]);
    const readable = await t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', demo.users.member.apiKey);
    expect(readable.status).toBe(200);
    const rowBefore = await files.byId(fileId);

    const response = await rows.unchangedBy([demo.id], () => remove(demo.users.member.apiKey, fileId));

    expectProblem(response, 403);
    expect(await files.byId(fileId)).toEqual(rowBefore);
    expect(await contentExists(demo.id, fileId)).toBe(true);
    expect(await rows.links(demo.id)).toEqual([{ eventId, fileId, position: 0 }]);
  });

  it("given a file the caller cannot read, or another tenant's, or none, the answer is 404 and nothing changes", async () => {
    const [demo, other] = await f.demo();
    const fileId = demo.files.member[0];

    const responses = await rows.unchangedBy([demo.id, other.id], async () => [
      await remove(demo.users.outsider.apiKey, fileId),
      await remove(other.users.admin.apiKey, fileId),
      await remove(demo.users.admin.apiKey, NO_SUCH_ID),
    ]);

    for (const response of responses) expectProblem(response, 404);
    expect(await files.byId(fileId)).not.toBeNull();
    expect(await contentExists(demo.id, fileId)).toBe(true);
  });

  it('given a file linked to an event on a private record, a user not on its access list gets 404 and one on it who is not the creator gets 403', async () => {
    const tenant = await f.tenant();
    const admin = await f.user(tenant.id, { admin: true });
    const listed = await f.user(tenant.id);
    const stranger = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id, { share: ShareType.None, access: [listed.id] });
    const fileId = await f.file(admin, 'private.txt', 'x');
    await attached(admin.apiKey, 'contact', contactId, [fileId]);

    expectProblem(await remove(stranger.apiKey, fileId), 404);
    expectProblem(await remove(listed.apiKey, fileId), 403);
    expect(await files.byId(fileId)).not.toBeNull();
  });

  it.each(['0', '01', '-1', 'abc', '2147483648'])('given the file id %j, the answer is 400 naming fileid', async (id) => {
    const [demo] = await f.demo();

    expectInvalidFields(await remove(demo.users.admin.apiKey, id), 'fileid');
  });
});
