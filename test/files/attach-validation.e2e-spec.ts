import { describe, expect, it } from 'vitest';
import { MAX_ID } from '../support/constants.js';
import { fixtures } from '../support/fixtures.js';
import { historyRows } from '../support/history-rows.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/** POST /api/2.0/crm/{entityType}/{entityid}/files: what the path and the body must be (400, nothing written). */

describe('POST /api/2.0/crm/{entityType}/{entityid}/files: validation', () => {
  const { f, rows, attach } = useTestApp();

  describe('validation of the body: 400 with errors, nothing written', () => {
    const cases: { name: string; body: (fileId: number) => object; fields: string[] }[] = [
      { name: 'no fileids', body: () => ({}), fields: ['fileids'] },
      { name: 'an empty fileids array', body: () => ({ fileids: [] }), fields: ['fileids'] },
      { name: 'fileids that is a number, not an array', body: (id) => ({ fileids: id }), fields: ['fileids'] },
      { name: 'fileids that is the string "1"', body: () => ({ fileids: '1' }), fields: ['fileids'] },
      { name: 'fileids that is an object', body: (id) => ({ fileids: { 0: id } }), fields: ['fileids'] },
      { name: 'fileids that is null', body: () => ({ fileids: null }), fields: ['fileids'] },
      { name: 'a string id "1"', body: (id) => ({ fileids: [id, String(id)] }), fields: ['fileids'] },
      { name: 'a fraction 1.5', body: (id) => ({ fileids: [id, 1.5] }), fields: ['fileids'] },
      { name: 'a null id', body: (id) => ({ fileids: [id, null] }), fields: ['fileids'] },
      { name: 'a nested array [[1]]', body: (id) => ({ fileids: [[id]] }), fields: ['fileids'] },
      { name: 'a nested object', body: (id) => ({ fileids: [{ id }] }), fields: ['fileids'] },
      { name: 'a boolean id', body: (id) => ({ fileids: [id, true] }), fields: ['fileids'] },
      { name: 'id 0', body: (id) => ({ fileids: [id, 0] }), fields: ['fileids'] },
      { name: 'id -1', body: (id) => ({ fileids: [id, -1] }), fields: ['fileids'] },
      { name: 'id 2147483648', body: (id) => ({ fileids: [id, 2_147_483_648] }), fields: ['fileids'] },
      { name: 'an unknown property', body: (id) => ({ fileids: [id], comment: 'hi' }), fields: ['comment'] },
      { name: 'a property in the wrong case, "FileIds"', body: (id) => ({ FileIds: [id] }), fields: ['FileIds', 'fileids'] },
      { name: 'a property in the wrong case, "entityId"', body: (id) => ({ fileids: [id], entityId: 1 }), fields: ['entityId'] },
      { name: 'entityid as a string', body: (id) => ({ fileids: [id], entityid: '1' }), fields: ['entityid'] },
      { name: 'entityid null', body: (id) => ({ fileids: [id], entityid: null }), fields: ['entityid'] },
      { name: 'entityid a fraction', body: (id) => ({ fileids: [id], entityid: 1.5 }), fields: ['entityid'] },
      { name: 'entityType a number', body: (id) => ({ fileids: [id], entityType: 1 }), fields: ['entityType'] },
      { name: 'entityType null', body: (id) => ({ fileids: [id], entityType: null }), fields: ['entityType'] },
    ];

    it.each(cases)('given $name, the answer is 400 naming the field, and no event is written', async ({ body, fields }) => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.member.apiKey, 'contact', demo.contacts.person, body(demo.files.member[0])),
      );

      expectInvalidFields(response, ...fields);
    });

    it('given no fileids, errors holds one entry for fileids, saying what it must be', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, {});

      expect(expectInvalidFields(response, 'fileids').errors).toEqual([{ field: 'fileids', message: expect.stringMatching(/array/) }]);
    });

    it('given several invalid fields, errors holds exactly one entry for each', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, {
        fileids: ['1', 0],
        entityid: 'x',
        extra: 1,
      });

      expect(expectInvalidFields(response, 'fileids', 'entityid', 'extra').errors).toHaveLength(3);
    });

    it.each([
      { name: 'another entityType', extra: () => ({ entityType: 'opportunity' }), field: 'entityType' },
      { name: 'an unknown entityType', extra: () => ({ entityType: 'lead' }), field: 'entityType' },
      { name: 'another entityid', extra: (id: number) => ({ entityid: id + 1 }), field: 'entityid' },
      { name: 'entityid as a string equal to the path', extra: (id: number) => ({ entityid: String(id) }), field: 'entityid' },
    ])('given a body that names $name than the path, the answer is 400 and nothing is written', async ({ extra, field }) => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.member.apiKey, 'contact', demo.contacts.person, {
          fileids: [demo.files.member[0]],
          ...extra(demo.contacts.person),
        }),
      );

      expectInvalidFields(response, field);
    });
  });

  describe('MAX_FILE_IDS counts the ids as sent', () => {
    const { t: small } = useTestApp({ maxFileIds: 3 });

    const attachSmall = (apiKey: string, contactId: number, fileids: number[]) =>
      small.http().post(`/api/2.0/crm/contact/${contactId}/files`).set('Authorization', apiKey).send({ fileids });

    it('given MAX_FILE_IDS 3, three distinct ids are accepted', async () => {
      const [demo] = await fixtures(small.app).demo();
      const ids = [...demo.files.member];

      const response = await attachSmall(demo.users.member.apiKey, demo.contacts.person, ids);

      expect(response.status).toBe(200);
      expect(response.body.Files).toHaveLength(3);
    });

    it('given MAX_FILE_IDS 3, four distinct ids are 400 and nothing is written', async () => {
      const [demo] = await fixtures(small.app).demo();
      const ids = [...demo.files.member, demo.files.admin[0]];

      const response = await historyRows(small.dataSource).unchangedBy([demo.id], () =>
        attachSmall(demo.users.admin.apiKey, demo.contacts.person, ids),
      );

      expectInvalidFields(response, 'fileids');
    });

    it('given MAX_FILE_IDS 3, four ids sent are 400 even though only two are distinct', async () => {
      const [demo] = await fixtures(small.app).demo();
      const [a, b] = demo.files.member;

      const response = await historyRows(small.dataSource).unchangedBy([demo.id], () =>
        attachSmall(demo.users.member.apiKey, demo.contacts.person, [a, a, a, b]),
      );

      expectInvalidFields(response, 'fileids');
    });

    it('given MAX_FILE_IDS 3, three repeats of one id are accepted and link that file once', async () => {
      const [demo] = await fixtures(small.app).demo();
      const [a] = demo.files.member;

      const response = await attachSmall(demo.users.member.apiKey, demo.contacts.person, [a, a, a]);

      expect(response.status).toBe(200);
      expect(response.body.Files.map((file: { ID: number }) => file.ID)).toEqual([a]);
      expect(await historyRows(small.dataSource).counts(demo.id)).toEqual({ events: 1, links: 1 });
    });
  });

  describe('validation of the path: 400', () => {
    it.each(['lead', 'contacts', 'opportunities', 'task', 'contact%20', '1'])(
      'given entityType "%s", the answer is 400 naming entityType and nothing is written',
      async (entityType) => {
        const [demo] = await f.demo();

        const response = await rows.unchangedBy([demo.id], () =>
          attach(demo.users.admin.apiKey, entityType, demo.contacts.person, { fileids: demo.files.admin }),
        );

        expectInvalidFields(response, 'entityType');
      },
    );

    it.each(['0', '01', '-1', '+1', '1.0', '1e3', '0x1', '2147483648', '99999999999', 'abc', '%201', '1%20'])(
      'given entityid "%s", the answer is 400 naming entityid and nothing is written',
      async (entityid) => {
        const [demo] = await f.demo();

        const response = await rows.unchangedBy([demo.id], () =>
          attach(demo.users.admin.apiKey, 'contact', entityid, { fileids: demo.files.admin }),
        );

        expectInvalidFields(response, 'entityid');
      },
    );

    it('given entityid 2147483647, the id is well formed and the answer is 404, not 400', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.admin.apiKey, 'contact', MAX_ID, { fileids: demo.files.admin });

      expectProblem(response, 404);
    });
  });
});
