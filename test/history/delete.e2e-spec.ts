import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { fileRows, storedExists } from '../support/stored-files.js';
import { historyApi } from '../support/history-api.js';
import { useTestApp } from '../support/use-test-app.js';

/** DELETE /api/2.0/crm/history/{id}: removing an event, and the files only it held. */

describe('DELETE /history/{id}', () => {
  const { t, f, rows } = useTestApp();
  const { remove, categoryIds, event } = historyApi(t);

  const contentExists = (tenantId: number, fileId: number) => storedExists(t.config.filesDir, t.storageKey(tenantId, fileId));

  it('given an editable event, the answer is 200 with the event as it was, and its row and links are gone', async () => {
    const [demo] = await f.demo();
    const { Note } = await categoryIds(demo.users.admin.apiKey);
    const posted = await event(demo.users.member.apiKey, {
      contactId: demo.contacts.company,
      categoryId: Note,
      content: 'bye',
      fileId: demo.files.member,
    });
    const kept = await event(demo.users.member.apiKey, { contactId: demo.contacts.company, categoryId: Note, content: 'stays' });

    const response = await remove(demo.users.member.apiKey, posted.ID);

    expect(response.status).toBe(200);
    expect(response.body).toStrictEqual(posted);
    expect((await rows.events(demo.id)).map((row) => row.id)).toEqual([kept.ID]);
    expect(await rows.links(demo.id)).toEqual([]);
    expectProblem(await remove(demo.users.member.apiKey, posted.ID), 404);
  });

  it('given its files, those linked to no other event and editable by the caller are deleted, rows and content; the others stay, unlinked', async () => {
    const [demo] = await f.demo();
    const files = fileRows(t.dataSource);
    const { Note } = await categoryIds(demo.users.admin.apiKey);
    const [onlyHere, linkedElsewhere] = demo.files.member;
    const notEditable = demo.files.admin[0];
    const elsewhere = await event(demo.users.member.apiKey, {
      contactId: demo.contacts.company,
      categoryId: Note,
      content: 'elsewhere',
      fileId: [linkedElsewhere],
    });
    // The admin writes the event; the member may edit it because the contact is ReadWrite.
    const target = await event(demo.users.admin.apiKey, {
      contactId: demo.contacts.person,
      categoryId: Note,
      content: 'three files',
      fileId: [onlyHere, notEditable, linkedElsewhere],
    });

    const response = await remove(demo.users.member.apiKey, target.ID);

    expect(response.status).toBe(200);
    expect(response.body.Files.map((file: { ID: number }) => file.ID)).toEqual([onlyHere, notEditable, linkedElsewhere]);
    expect(await files.byId(onlyHere)).toBeNull();
    expect(await contentExists(demo.id, onlyHere)).toBe(false);
    expect(await files.byId(notEditable)).not.toBeNull();
    expect(await contentExists(demo.id, notEditable)).toBe(true);
    expect(await files.byId(linkedElsewhere)).not.toBeNull();
    expect(await contentExists(demo.id, linkedElsewhere)).toBe(true);
    expect((await rows.events(demo.id)).map((row) => row.id)).toEqual([elsewhere.ID]);
    expect(await rows.links(demo.id)).toEqual([{ eventId: elsewhere.ID, fileId: linkedElsewhere, position: 0 }]);
  });

  it('given an admin, a file only that event links is deleted whoever created it', async () => {
    const [demo] = await f.demo();
    const files = fileRows(t.dataSource);
    const fileId = demo.files.outsider[0];
    const posted = await event(demo.users.outsider.apiKey, {
      contactId: demo.contacts.person,
      categoryId: -2,
      content: 'x',
      fileId: [fileId],
    });

    const response = await remove(demo.users.admin.apiKey, posted.ID);

    expect(response.status).toBe(200);
    expect(await files.byId(fileId)).toBeNull();
    expect(await contentExists(demo.id, fileId)).toBe(false);
  });

  it('given a read-only company, a member may delete their own event there', async () => {
    const [demo] = await f.demo();
    const own = await event(demo.users.member.apiKey, { contactId: demo.contacts.readOnlyCompany, categoryId: -1, content: 'mine' });

    const response = await remove(demo.users.member.apiKey, own.ID);

    expect(response.status).toBe(200);
    expect(await rows.events(demo.id)).toEqual([]);
  });

  it("given a private opportunity the member is listed on, the member may delete the admin's event there", async () => {
    const [demo] = await f.demo();
    const posted = await event(demo.users.admin.apiKey, {
      entityType: 'opportunity',
      entityId: demo.opportunities.private,
      categoryId: -1,
      content: 'x',
    });

    const response = await remove(demo.users.member.apiKey, posted.ID);

    expect(response.status).toBe(200);
    expect(response.body.Entity).toEqual({
      EntityType: 'opportunity',
      EntityId: demo.opportunities.private,
      EntityTitle: 'Confidential acquisition',
    });
  });

  it("given the admin's event on a read-only company, a member gets 403 and nothing changes", async () => {
    const [demo] = await f.demo();
    const files = fileRows(t.dataSource);
    const fileId = demo.files.admin[0];
    const posted = await event(demo.users.admin.apiKey, {
      contactId: demo.contacts.readOnlyCompany,
      categoryId: -2,
      content: 'x',
      fileId: [fileId],
    });

    const response = await rows.unchangedBy([demo.id], () => remove(demo.users.member.apiKey, posted.ID));

    expectProblem(response, 403);
    expect((await rows.events(demo.id)).map((row) => row.id)).toEqual([posted.ID]);
    expect(await files.byId(fileId)).not.toBeNull();
    expect(await contentExists(demo.id, fileId)).toBe(true);
  });

  it("given an event the caller cannot read, another tenant's event, or none, the answer is 404 and nothing changes", async () => {
    const [demo, other] = await f.demo();
    const onPrivate = await event(demo.users.member.apiKey, {
      contactId: demo.contacts.privatePerson,
      categoryId: -1,
      content: 'x',
      fileId: demo.files.member,
    });

    const responses = await rows.unchangedBy([demo.id, other.id], async () => [
      await remove(demo.users.outsider.apiKey, onPrivate.ID),
      await remove(other.users.admin.apiKey, onPrivate.ID),
      await remove(demo.users.admin.apiKey, NO_SUCH_ID),
    ]);

    for (const response of responses) expectProblem(response, 404);
    expect(responses[1].body).toEqual(responses[0].body);
    for (const fileId of demo.files.member) expect(await contentExists(demo.id, fileId)).toBe(true);
  });

  it.each(['0', '01', '-1', 'abc', '2147483648'])('given the id %j, the answer is 400 naming id', async (id) => {
    const [demo] = await f.demo();

    expectInvalidFields(await remove(demo.users.admin.apiKey, id), 'id');
  });
});
