import { describe, expect, it } from 'vitest';
import { ISO_UTC, NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/** GET /api/2.0/crm/{entityType}/{entityid}/files: the files of a record. */

describe('GET /{entityType}/{entityid}/files', () => {
  const { t, f, attached } = useTestApp();

  const ids = (body: { ID: number }[]) => body.map((file) => file.ID);

  const list = (apiKey: string, type: string, id: number | string, query = '') =>
    t.http().get(`/api/2.0/crm/${type}/${id}/files${query}`).set('Authorization', apiKey);

  it('given files attached over several events, each file is listed once, by its newest link first, then by file id descending', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const otherContact = await f.contact(tenant.id);
    const [a, b, c, d, e] = await f.files(user, 5);
    await attached(user.apiKey, 'contact', contactId, [a, b]);
    await attached(user.apiKey, 'contact', contactId, [c]);
    await attached(user.apiKey, 'contact', contactId, [a, d]);
    await attached(user.apiKey, 'contact', otherContact, [e, b]);

    const response = await list(user.apiKey, 'contact', contactId);

    expect(response.status).toBe(200);
    expect(response.headers['x-total-count']).toBe('4');
    // a and d share the newest link: d (the higher id) first; then c; then b (whose newer link is on another contact).
    expect(ids(response.body)).toEqual([d, a, c, b]);
  });

  it('given an attached file, it is listed as a whole File object', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id, { name: 'Lia Lister' });
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(user, 'agenda.txt', 'hello');
    await attached(user.apiKey, 'contact', contactId, [fileId]);
    const employee = { Id: user.id, DisplayName: 'Lia Lister', Title: null, AvatarSmall: null, ProfileUrl: null };

    const response = await list(user.apiKey, 'contact', contactId);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json\b/);
    expect(response.body).toStrictEqual([
      {
        ID: fileId,
        Name: 'agenda.txt',
        Location: `/api/2.0/crm/files/${fileId}/content`,
        Updated: expect.stringMatching(ISO_UTC),
        UpdatedBy: employee,
        Created: expect.stringMatching(ISO_UTC),
        CreatedBy: employee,
        ContentLength: 5,
        ContentType: 'text/plain',
        FolderId: tenant.rootFolderId,
        Version: 1,
      },
    ]);
  });

  it.each(['opportunity', 'case'] as const)(
    'given a %s, its files are listed, and those of the other record type with the same id are not',
    async (type) => {
      const [demo] = await f.demo();
      const recordId = type === 'opportunity' ? demo.opportunities.public : demo.cases.public;
      const [m1, m2, m3] = demo.files.member;
      await attached(demo.users.member.apiKey, type, recordId, [m1, m2]);
      await attached(
        demo.users.member.apiKey,
        type === 'opportunity' ? 'case' : 'opportunity',
        type === 'opportunity' ? demo.cases.public : demo.opportunities.public,
        [m3],
      );

      const response = await list(demo.users.member.apiKey, type.toUpperCase(), recordId);

      expect(response.status).toBe(200);
      expect(response.headers['x-total-count']).toBe('2');
      expect(ids(response.body)).toEqual([m2, m1]);
    },
  );

  it('given a record with no files, the answer is an empty list with X-Total-Count 0', async () => {
    const [demo] = await f.demo();

    const response = await list(demo.users.outsider.apiKey, 'contact', demo.contacts.company);

    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
    expect(response.headers['x-total-count']).toBe('0');
  });

  it('given startIndex and count, that page is answered and X-Total-Count counts every file', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const fileIds = await f.files(user, 7);
    await attached(user.apiKey, 'contact', contactId, fileIds);
    const expected = [...fileIds].sort((x, y) => y - x);

    const first = await list(user.apiKey, 'contact', contactId, '?count=3');
    const middle = await list(user.apiKey, 'contact', contactId, '?startIndex=3&count=3');
    const last = await list(user.apiKey, 'contact', contactId, '?startIndex=6&count=3');
    const beyond = await list(user.apiKey, 'contact', contactId, '?startIndex=7&count=1000');
    const all = await list(user.apiKey, 'contact', contactId, '?startIndex=0');

    expect([first, middle, last, beyond, all].map((response) => [response.status, response.headers['x-total-count']])).toEqual(
      Array.from({ length: 5 }, () => [200, '7']),
    );
    expect(ids(first.body)).toEqual(expected.slice(0, 3));
    expect(ids(middle.body)).toEqual(expected.slice(3, 6));
    expect(ids(last.body)).toEqual(expected.slice(6));
    expect(beyond.body).toEqual([]);
    expect(ids(all.body)).toEqual(expected);
  });

  it.each(['count=0', 'count=1001', 'startIndex=-1', 'count=abc', 'startIndex=1.5', 'count=', 'count=1&count=2'])(
    'given the paging %s, the answer is 400',
    async (query) => {
      const [demo] = await f.demo();

      const response = await list(demo.users.admin.apiKey, 'contact', demo.contacts.person, `?${query}`);

      expectInvalidFields(response, query.startsWith('count') ? 'count' : 'startIndex');
    },
  );

  it.each([
    { name: "an outsider on the member's private contact", record: 'contact', pick: 'privatePerson' },
    { name: 'an outsider on a private opportunity', record: 'opportunity', pick: 'private' },
    { name: 'an outsider on a private case', record: 'case', pick: 'private' },
  ])('given $name, the answer is 404, as for a missing record', async ({ record, pick }) => {
    const [demo] = await f.demo();
    const bag = record === 'contact' ? demo.contacts : record === 'opportunity' ? demo.opportunities : demo.cases;
    const recordId = (bag as Record<string, number>)[pick];
    await attached(demo.users.member.apiKey, record, recordId, demo.files.member);

    const response = await list(demo.users.outsider.apiKey, record, recordId);
    const member = await list(demo.users.member.apiKey, record, recordId);

    expectProblem(response, 404);
    expect(response.headers['x-total-count']).toBeUndefined();
    expect(member.status).toBe(200);
    expect(member.headers['x-total-count']).toBe('3');
  });

  it("given a missing record or another tenant's record, the answer is 404", async () => {
    const [demo, other] = await f.demo();

    expectProblem(await list(demo.users.admin.apiKey, 'contact', NO_SUCH_ID), 404);
    expectProblem(await list(demo.users.admin.apiKey, 'case', other.cases.public), 404);
  });
});
