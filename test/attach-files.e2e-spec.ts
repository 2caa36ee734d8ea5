import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShareType } from '../src/records/entities/share-type.js';
import { fixtures } from './support/fixtures.js';
import { historyRows } from './support/history-rows.js';
import { expectInvalidFields, expectProblem, type ProblemResponseBody } from './support/problem.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** SPEC §4.1: POST /api/2.0/crm/{entityType}/{entityid}/files, through the real application. */

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_ID = 2_147_483_647;
/** Ids no test creates: the id space is shared by all tenants and all test files. */
const NO_SUCH_ID = MAX_ID;
const NO_SUCH_FILE_A = MAX_ID - 1;
const NO_SUCH_FILE_B = MAX_ID - 2;

const FILES_UPLOADED_CATEGORY = { ID: -2, Title: 'Files are uploaded', Description: null, Color: null, ImagePath: null, SortOrder: 0 };

/** A problem body with the record id taken out, to compare two 404s for different ids. */
const withoutId = (body: ProblemResponseBody, id: number) => ({ ...body, detail: body.detail.split(String(id)).join('<id>') });

describe('POST /api/2.0/crm/{entityType}/{entityid}/files', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rows: ReturnType<typeof historyRows>;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t.app);
    rows = historyRows(t.dataSource);
  });
  afterAll(() => t?.close());

  const attach = (apiKey: string, type: string, id: number | string, body: object) =>
    t.http().post(`/api/2.0/crm/${type}/${id}/files`).set('Authorization', apiKey).send(body);

  describe('on success', () => {
    it('given a shared contact, attaching answers 200 with the whole RelationshipEvent, its Files in request order', async () => {
      const tenant = await f.tenant();
      const caller = await f.user(tenant.id, { name: 'Carla Caller' });
      const contactId = await f.contact(tenant.id, { share: ShareType.ReadWrite, currency: 'USD' });
      const first = await f.file(caller, 'agenda.txt', 'hello');
      const second = await f.file(caller, 'minutes.txt', 'hello, world');
      const callerEmployee = { Id: caller.id, DisplayName: 'Carla Caller', Title: null, AvatarSmall: null, ProfileUrl: null };
      const fileDto = (id: number, name: string, length: number) => ({
        ID: id,
        Name: name,
        Location: `/api/2.0/crm/files/${id}/content`,
        Updated: expect.stringMatching(ISO_UTC),
        UpdatedBy: callerEmployee,
        Created: expect.stringMatching(ISO_UTC),
        CreatedBy: callerEmployee,
        ContentLength: length,
        ContentType: 'text/plain',
        FolderId: tenant.rootFolderId,
        Version: 1,
      });

      const before = Date.now();
      const response = await attach(caller.apiKey, 'contact', contactId, { fileids: [second, first] });
      const after = Date.now();

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json\b/);
      expect(response.body).toStrictEqual({
        ID: expect.any(Number),
        CreateBy: callerEmployee,
        Created: expect.stringMatching(ISO_UTC),
        Content: 'Files are uploaded',
        Category: FILES_UPLOADED_CATEGORY,
        Contact: {
          ID: contactId,
          DisplayName: 'Grace Hopper',
          IsCompany: false,
          SmallFotoUrl: null,
          MediumFotoUrl: null,
          AccessList: [],
          IsPrivate: false,
          IsShared: true,
          ShareType: 1,
          Currency: { Title: 'US Dollar', Symbol: '$', Abbreviation: 'USD', CultureName: 'en-US', IsConvertable: true, IsBasic: true },
          CanEdit: true,
          CanDelete: true,
        },
        Entity: null,
        Files: [fileDto(second, 'minutes.txt', 12), fileDto(first, 'agenda.txt', 5)],
        CanEdit: true,
      });
      const created = Date.parse(response.body.Created);
      expect(created).toBeGreaterThanOrEqual(before - 1000);
      expect(created).toBeLessThanOrEqual(after + 1000);
    });

    it('given a contact, exactly one event row (category -2, created by the caller, on the contact) and one link row per file are written', async () => {
      const tenant = await f.tenant();
      const caller = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id);
      const fileIds = await f.files(caller, 3);

      const response = await attach(caller.apiKey, 'contact', contactId, { fileids: [fileIds[2], fileIds[0], fileIds[1]] });

      expect(response.status).toBe(200);
      expect(await rows.events(tenant.id)).toEqual([
        {
          id: response.body.ID,
          categoryId: -2,
          content: 'Files are uploaded',
          contactId,
          entityType: null,
          entityId: null,
          createdBy: caller.id,
        },
      ]);
      expect(await rows.links(tenant.id)).toEqual([
        { eventId: response.body.ID, fileId: fileIds[2], position: 0 },
        { eventId: response.body.ID, fileId: fileIds[0], position: 1 },
        { eventId: response.body.ID, fileId: fileIds[1], position: 2 },
      ]);
    });

    it.each([
      { pathType: 'opportunity', type: 'opportunity' },
      { pathType: 'OPPORTUNITY', type: 'opportunity' },
      { pathType: 'case', type: 'case' },
      { pathType: 'Case', type: 'case' },
    ] as const)('given a public $type written "$pathType" in the path, the event carries Entity and one row on ($type, id)', async ({ pathType, type }) => {
      const [demo] = await f.demo();
      const recordId = type === 'opportunity' ? demo.opportunities.public : demo.cases.public;
      const fileIds = demo.files.member;

      const response = await attach(demo.users.member.apiKey, pathType, recordId, { fileids: fileIds });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        Contact: null,
        Entity: { EntityType: type, EntityId: recordId, EntityTitle: type === 'opportunity' ? 'Website redesign' : 'Login problems' },
        Category: FILES_UPLOADED_CATEGORY,
        CreateBy: { Id: demo.users.member.id },
        CanEdit: true,
      });
      expect(Object.keys(response.body.Entity).sort()).toEqual(['EntityId', 'EntityTitle', 'EntityType']);
      expect(response.body.Files.map((file: { ID: number }) => file.ID)).toEqual(fileIds);
      expect(await rows.events(demo.id)).toEqual([
        {
          id: response.body.ID,
          categoryId: -2,
          content: 'Files are uploaded',
          contactId: null,
          entityType: type,
          entityId: recordId,
          createdBy: demo.users.member.id,
        },
      ]);
      expect((await rows.links(demo.id)).map((link) => [link.eventId, link.fileId])).toEqual(fileIds.map((id) => [response.body.ID, id]));
    });

    it('given "CONTACT" in the path, the type is matched ignoring case', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.admin.apiKey, 'CONTACT', demo.contacts.company, { fileids: demo.files.admin });

      expect(response.status).toBe(200);
      expect(response.body.Contact).toMatchObject({ ID: demo.contacts.company, DisplayName: 'Acme Corporation', IsCompany: true });
      expect(response.body.Contact.Currency).toMatchObject({ Abbreviation: 'EUR' });
      expect(response.body.Entity).toBeNull();
    });

    it('given a private contact, a member on its access list attaches and sees the access list, IsPrivate and ShareType 0', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.member.apiKey, 'contact', demo.contacts.privatePerson, { fileids: [demo.files.member[0]] });

      expect(response.status).toBe(200);
      expect(response.body.Contact).toStrictEqual({
        ID: demo.contacts.privatePerson,
        DisplayName: 'Ada Lovelace',
        IsCompany: false,
        SmallFotoUrl: null,
        MediumFotoUrl: null,
        AccessList: [
          { Id: demo.users.member.id, DisplayName: expect.any(String), Title: expect.anything(), AvatarSmall: null, ProfileUrl: null },
        ],
        IsPrivate: true,
        IsShared: false,
        ShareType: 0,
        Currency: null,
        CanEdit: true,
        CanDelete: true,
      });
      expect(await rows.counts(demo.id)).toEqual({ events: 1, links: 1 });
    });

    it('given a read-only company, a member may attach: the contact is not editable for them, but their own event is', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.member.apiKey, 'contact', demo.contacts.readOnlyCompany, { fileids: demo.files.member });

      expect(response.status).toBe(200);
      expect(response.body.Contact).toMatchObject({ ShareType: 2, IsPrivate: false, IsShared: true, AccessList: [], CanEdit: false, CanDelete: false, Currency: null });
      expect(response.body.CanEdit).toBe(true);
      expect(await rows.counts(demo.id)).toEqual({ events: 1, links: 3 });
    });

    it('given repeated ids, each file is linked once, in first-seen order', async () => {
      const [demo] = await f.demo();
      const [a, b, c] = demo.files.member;

      const response = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, { fileids: [b, a, b, c, a, c] });

      expect(response.status).toBe(200);
      expect(response.body.Files.map((file: { ID: number }) => file.ID)).toEqual([b, a, c]);
      expect((await rows.links(demo.id)).map((link) => link.fileId)).toEqual([b, a, c]);
      expect(await rows.counts(demo.id)).toEqual({ events: 1, links: 3 });
    });

    it.each([
      { name: 'entityType and entityid equal to the path', extra: (id: number) => ({ entityType: 'contact', entityid: id }) },
      { name: 'entityType in another letter case', extra: () => ({ entityType: 'Contact' }) },
      { name: 'only entityid', extra: (id: number) => ({ entityid: id }) },
    ])('given a body that repeats the path ($name), it is accepted', async ({ extra }) => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, {
        fileids: [demo.files.member[0]],
        ...extra(demo.contacts.person),
      });

      expect(response.status).toBe(200);
      expect(response.body.Contact.ID).toBe(demo.contacts.person);
    });

    it('given an admin, files of every user of the tenant may be attached, whoever created them', async () => {
      const [demo] = await f.demo();
      const fileIds = [demo.files.outsider[0], demo.files.member[1], demo.files.admin[0]];

      const response = await attach(demo.users.admin.apiKey, 'case', demo.cases.private, { fileids: fileIds });

      expect(response.status).toBe(200);
      expect(response.body.Files.map((file: { ID: number }) => file.ID)).toEqual(fileIds);
      expect(response.body.Files[0].CreatedBy.Id).toBe(demo.users.outsider.id);
    });

    it('given the same file attached twice, each attach writes its own event: a file may be linked to several events', async () => {
      const [demo] = await f.demo();
      const fileId = demo.files.member[0];

      const first = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, { fileids: [fileId] });
      const second = await attach(demo.users.member.apiKey, 'opportunity', demo.opportunities.public, { fileids: [fileId] });

      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body.ID).not.toBe(first.body.ID);
      expect(await rows.links(demo.id)).toEqual([
        { eventId: first.body.ID, fileId, position: 0 },
        { eventId: second.body.ID, fileId, position: 0 },
      ]);
    });
  });

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

      const response = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, { fileids: ['1', 0], entityid: 'x', extra: 1 });

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
        attach(demo.users.member.apiKey, 'contact', demo.contacts.person, { fileids: [demo.files.member[0]], ...extra(demo.contacts.person) }),
      );

      expectInvalidFields(response, field);
    });
  });

  describe('MAX_FILE_IDS counts the ids as sent', () => {
    let small: TestApp;
    beforeAll(async () => {
      small = await startTestApp({ maxFileIds: 3 });
    });
    afterAll(() => small?.close());

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

  describe('access to the record: an unreadable record answers like a missing one', () => {
    const missingBody = async (apiKey: string, type: string) => {
      const response = await attach(apiKey, type, NO_SUCH_ID, { fileids: [NO_SUCH_FILE_A] });
      return withoutId(expectProblem(response, 404), NO_SUCH_ID);
    };

    it('given a private contact, an outsider attaching gets 404 with the body of a missing contact, and no event is written', async () => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.outsider.apiKey, 'contact', demo.contacts.privatePerson, { fileids: demo.files.outsider }),
      );

      const body = expectProblem(response, 404);
      expect(body.missingFileIds).toBeUndefined();
      expect(withoutId(body, demo.contacts.privatePerson)).toStrictEqual(await missingBody(demo.users.outsider.apiKey, 'contact'));
    });

    it('given a private contact, the admin may attach to it', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.admin.apiKey, 'contact', demo.contacts.privatePerson, { fileids: demo.files.admin });

      expect(response.status).toBe(200);
      expect(response.body.Contact).toMatchObject({ ID: demo.contacts.privatePerson, IsPrivate: true, CanEdit: true });
    });

    it('given a read-only company, an outsider may attach too (Read share is readable by all)', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.outsider.apiKey, 'contact', demo.contacts.readOnlyCompany, { fileids: demo.files.outsider });

      expect(response.status).toBe(200);
      expect(await rows.counts(demo.id)).toEqual({ events: 1, links: 1 });
    });

    for (const type of ['opportunity', 'case'] as const) {
      const privateOf = (demo: Awaited<ReturnType<typeof f.demo>>[0]) => (type === 'opportunity' ? demo.opportunities.private : demo.cases.private);

      it(`given a private ${type}, a member on its access list attaches: 200 and one event`, async () => {
        const [demo] = await f.demo();

        const response = await attach(demo.users.member.apiKey, type, privateOf(demo), { fileids: demo.files.member });

        expect(response.status).toBe(200);
        expect(response.body.Entity).toMatchObject({ EntityType: type, EntityId: privateOf(demo) });
        expect(await rows.counts(demo.id)).toEqual({ events: 1, links: 3 });
      });

      it(`given a private ${type}, an outsider gets 404 with the body of a missing ${type}, and no event is written`, async () => {
        const [demo] = await f.demo();

        const response = await rows.unchangedBy([demo.id], () =>
          attach(demo.users.outsider.apiKey, type, privateOf(demo), { fileids: demo.files.outsider }),
        );

        const body = expectProblem(response, 404);
        expect(withoutId(body, privateOf(demo))).toStrictEqual(await missingBody(demo.users.outsider.apiKey, type));
      });

      it(`given a private ${type}, the admin (not on its access list) attaches: 200`, async () => {
        const [demo] = await f.demo();

        const response = await attach(demo.users.admin.apiKey, type, privateOf(demo), { fileids: demo.files.admin });

        expect(response.status).toBe(200);
        expect(await rows.counts(demo.id)).toEqual({ events: 1, links: 1 });
      });
    }

    it.each(['contact', 'opportunity', 'case'] as const)(
      "given another tenant's %s, the answer is 404 with the body of a missing one, and neither tenant gets an event",
      async (type) => {
        const [mine, theirs] = await f.demo();
        const theirRecord = type === 'contact' ? theirs.contacts.person : type === 'opportunity' ? theirs.opportunities.public : theirs.cases.public;

        const response = await rows.unchangedBy([mine.id, theirs.id], () =>
          attach(mine.users.admin.apiKey, type, theirRecord, { fileids: mine.files.admin }),
        );

        const body = expectProblem(response, 404);
        expect(withoutId(body, theirRecord)).toStrictEqual(await missingBody(mine.users.admin.apiKey, type));
      },
    );

    it('given a nonexistent record, the answer is 404 and nothing is written', async () => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.admin.apiKey, 'opportunity', NO_SUCH_ID, { fileids: demo.files.admin }),
      );

      const body = expectProblem(response, 404);
      expect(body.missingFileIds).toBeUndefined();
    });
  });

  describe('access to the files: 404 listing missingFileIds in request order', () => {
    it('given nonexistent file ids, the answer lists them in request order and nothing is written', async () => {
      const [demo] = await f.demo();
      const [own] = demo.files.member;

      const response = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.member.apiKey, 'contact', demo.contacts.person, { fileids: [NO_SUCH_FILE_A, own, NO_SUCH_FILE_B] }),
      );

      expect(expectProblem(response, 404).missingFileIds).toEqual([NO_SUCH_FILE_A, NO_SUCH_FILE_B]);
    });

    it("given another tenant's files, even for an admin, they are missing", async () => {
      const [mine, theirs] = await f.demo();

      const response = await rows.unchangedBy([mine.id, theirs.id], () =>
        attach(mine.users.admin.apiKey, 'contact', mine.contacts.person, {
          fileids: [theirs.files.member[1], mine.files.admin[0], theirs.files.admin[0]],
        }),
      );

      expect(expectProblem(response, 404).missingFileIds).toEqual([theirs.files.member[1], theirs.files.admin[0]]);
    });

    it("given another user's file that is linked to nothing, a member cannot attach it", async () => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.member.apiKey, 'contact', demo.contacts.person, { fileids: [demo.files.member[0], demo.files.outsider[0]] }),
      );

      expect(expectProblem(response, 404).missingFileIds).toEqual([demo.files.outsider[0]]);
    });

    it('given every kind of missing file at once, all are listed, in request order, and none of the readable ones', async () => {
      const [mine, theirs] = await f.demo();
      const fileids = [theirs.files.member[0], mine.files.member[0], NO_SUCH_FILE_B, mine.files.admin[0], mine.files.member[2], NO_SUCH_FILE_A];

      const response = await rows.unchangedBy([mine.id, theirs.id], () =>
        attach(mine.users.member.apiKey, 'opportunity', mine.opportunities.public, { fileids }),
      );

      expect(expectProblem(response, 404).missingFileIds).toEqual([theirs.files.member[0], NO_SUCH_FILE_B, mine.files.admin[0], NO_SUCH_FILE_A]);
    });

    it("given an admin's file attached to a public contact, a member can then attach it elsewhere", async () => {
      const [demo] = await f.demo();
      const adminFile = demo.files.admin[0];
      const before = await attach(demo.users.member.apiKey, 'contact', demo.contacts.company, { fileids: [adminFile] });
      expect(expectProblem(before, 404).missingFileIds).toEqual([adminFile]);

      const shared = await attach(demo.users.admin.apiKey, 'contact', demo.contacts.person, { fileids: [adminFile] });
      expect(shared.status).toBe(200);

      const after = await attach(demo.users.member.apiKey, 'contact', demo.contacts.company, { fileids: [adminFile, demo.files.member[0]] });
      expect(after.status).toBe(200);
      expect(after.body.Files.map((file: { ID: number }) => file.ID)).toEqual([adminFile, demo.files.member[0]]);
      expect(await rows.counts(demo.id)).toEqual({ events: 2, links: 3 });
    });

    it("given an admin's file attached only to a private contact, it is readable by the member on its list but not by an outsider", async () => {
      const [demo] = await f.demo();
      const adminFile = demo.files.admin[0];
      expect((await attach(demo.users.admin.apiKey, 'contact', demo.contacts.privatePerson, { fileids: [adminFile] })).status).toBe(200);

      const outsider = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.outsider.apiKey, 'contact', demo.contacts.person, { fileids: [adminFile] }),
      );
      expect(expectProblem(outsider, 404).missingFileIds).toEqual([adminFile]);

      const member = await attach(demo.users.member.apiKey, 'contact', demo.contacts.person, { fileids: [adminFile] });
      expect(member.status).toBe(200);
    });

    it("given an admin's file attached only to a private case, the outsider cannot attach it and the member can", async () => {
      const [demo] = await f.demo();
      const adminFile = demo.files.admin[0];
      expect((await attach(demo.users.admin.apiKey, 'case', demo.cases.private, { fileids: [adminFile] })).status).toBe(200);

      const outsider = await rows.unchangedBy([demo.id], () =>
        attach(demo.users.outsider.apiKey, 'case', demo.cases.public, { fileids: [adminFile] }),
      );
      expect(expectProblem(outsider, 404).missingFileIds).toEqual([adminFile]);

      expect((await attach(demo.users.member.apiKey, 'case', demo.cases.public, { fileids: [adminFile] })).status).toBe(200);
    });
  });

  describe('checks run in order: 401, then the form (415, 413, 400), then the record (404), then the files', () => {
    it('given no API key, an invalid body on a missing record answers 401, not 400 or 404', async () => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        t.http().post(`/api/2.0/crm/lead/${NO_SUCH_ID}/files`).send({ fileids: 'nope', extra: 1 }),
      );

      expectProblem(response, 401);
    });

    it('given an unknown API key and a text/plain body, the answer is 401, not 415', async () => {
      const response = await t
        .http()
        .post('/api/2.0/crm/contact/1/files')
        .set('Authorization', '00000000-00000000-00000000-00000000-00000000-00000000-00000000-00000000')
        .set('Content-Type', 'text/plain')
        .send('fileids=1');

      expectProblem(response, 401);
    });

    it('given no API key and a body over MAX_JSON_BYTES, the answer is 401, not 413', async () => {
      const response = await t
        .http()
        .post('/api/2.0/crm/contact/1/files')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ fileids: [1], padding: 'x'.repeat(t.config.maxJsonBytes) }));

      expectProblem(response, 401);
    });

    it('given a text/plain body and an invalid entityid, the answer is 415: the body type is judged first', async () => {
      const [demo] = await f.demo();

      const response = await t
        .http()
        .post('/api/2.0/crm/contact/01/files')
        .set('Authorization', demo.users.admin.apiKey)
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify({ fileids: demo.files.admin }));

      expectProblem(response, 415);
    });

    it('given a body over MAX_JSON_BYTES on a missing record, the answer is 413, not 404', async () => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        t
          .http()
          .post(`/api/2.0/crm/contact/${NO_SUCH_ID}/files`)
          .set('Authorization', demo.users.admin.apiKey)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ fileids: demo.files.admin, padding: 'x'.repeat(t.config.maxJsonBytes) })),
      );

      expectProblem(response, 413);
    });

    it.each([
      { name: 'an invalid fileids', body: () => ({ fileids: ['1'] }) },
      { name: 'an unknown property', body: () => ({ fileids: [NO_SUCH_FILE_A], other: true }) },
      { name: 'a mismatching entityid', body: () => ({ fileids: [NO_SUCH_FILE_A], entityid: 5 }) },
      { name: 'more ids than MAX_FILE_IDS', body: () => ({ fileids: Array.from({ length: 101 }, (_, i) => i + 1) }) },
    ])('given $name on a missing record, the answer is 400, not 404', async ({ body }) => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.admin.apiKey, 'contact', NO_SUCH_ID, body());

      expectProblem(response, 400);
    });

    it('given a valid body on a missing record with missing files, the record answers first: 404 without missingFileIds', async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.admin.apiKey, 'case', NO_SUCH_ID, { fileids: [NO_SUCH_FILE_A] });

      const body = expectProblem(response, 404);
      expect(body.missingFileIds).toBeUndefined();
    });

    it("given a private contact and another user's file, an outsider learns nothing about the file: 404 without missingFileIds", async () => {
      const [demo] = await f.demo();

      const response = await attach(demo.users.outsider.apiKey, 'contact', demo.contacts.privatePerson, { fileids: demo.files.member });

      const body = expectProblem(response, 404);
      expect(body.missingFileIds).toBeUndefined();
    });
  });

  describe('the number of SQL statements does not grow with the number of files', () => {
    it('given 1, 10 and 100 files, attaching runs the same number of statements', async () => {
      const tenant = await f.tenant();
      const caller = await f.user(tenant.id);
      const other = await f.user(tenant.id);
      const contactId = await f.contact(tenant.id, { share: ShareType.None, access: [caller.id, other.id], currency: 'GBP' });
      const fileIds = [...(await f.files(caller, 50)), ...(await f.files(other, 50))];
      // The other user's files become readable to the caller through an event on a contact both can read.
      expect((await attach(other.apiKey, 'contact', contactId, { fileids: fileIds.slice(50) })).status).toBe(200);

      const statements: number[] = [];
      for (const size of [1, 10, 100]) {
        const { result, statements: sent } = await t.queries.count(() =>
          attach(caller.apiKey, 'contact', contactId, { fileids: fileIds.slice(100 - size) }),
        );
        expect(result.status).toBe(200);
        expect(result.body.Files).toHaveLength(size);
        statements.push(sent.length);
        // Nothing is read back after the commit: the response is built from what the checks loaded.
        expect(sent.at(-1)).toMatch(/^COMMIT/i);
      }

      expect(statements[1]).toBe(statements[0]);
      expect(statements[2]).toBe(statements[0]);
      // The key, the record with its access list and currency, the readable files, the users
      // named, then START / INSERT event / INSERT links / COMMIT.
      expect(statements[0]).toBeLessThanOrEqual(8);
    });

    it('given an opportunity, attaching 1 and 100 files runs the same number of statements', async () => {
      const tenant = await f.tenant();
      const caller = await f.user(tenant.id);
      const opportunityId = await f.entity('opportunity', tenant.id, caller.id, { access: [caller.id] });
      const fileIds = await f.files(caller, 100);

      const one = await t.queries.count(() => attach(caller.apiKey, 'opportunity', opportunityId, { fileids: fileIds.slice(0, 1) }));
      const hundred = await t.queries.count(() => attach(caller.apiKey, 'opportunity', opportunityId, { fileids: fileIds }));

      expect([one.result.status, hundred.result.status]).toEqual([200, 200]);
      expect(hundred.statements.length).toBe(one.statements.length);
      expect(one.statements.length).toBeLessThanOrEqual(8);
      expect(one.statements.at(-1)).toMatch(/^COMMIT/i);
    });
  });

  describe('concurrent attaches', () => {
    it('given 10 concurrent attaches of the same files to the same record, there are 10 events and 10×N links, and no errors', async () => {
      const [demo] = await f.demo();
      const fileIds = demo.files.member;

      const responses = await Promise.all(
        Array.from({ length: 10 }, () => attach(demo.users.member.apiKey, 'opportunity', demo.opportunities.private, { fileids: fileIds })),
      );

      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      const eventIds = responses.map((response) => response.body.ID as number);
      expect(new Set(eventIds).size).toBe(10);
      for (const response of responses) expect(response.body.Files.map((file: { ID: number }) => file.ID)).toEqual(fileIds);
      const events = await rows.events(demo.id);
      expect(events.map((event) => event.id).sort((a, b) => a - b)).toEqual([...eventIds].sort((a, b) => a - b));
      const links = await rows.links(demo.id);
      expect(links).toHaveLength(10 * fileIds.length);
      for (const eventId of eventIds) {
        expect(links.filter((link) => link.eventId === eventId).map((link) => link.fileId)).toEqual(fileIds);
      }
    });

    it('given 10 concurrent attaches by different users to different records, each gets its own event', async () => {
      const [demo] = await f.demo();
      const requests = [
        () => attach(demo.users.admin.apiKey, 'contact', demo.contacts.person, { fileids: demo.files.admin }),
        () => attach(demo.users.member.apiKey, 'contact', demo.contacts.privatePerson, { fileids: demo.files.member }),
        () => attach(demo.users.outsider.apiKey, 'case', demo.cases.public, { fileids: demo.files.outsider }),
        () => attach(demo.users.member.apiKey, 'opportunity', demo.opportunities.private, { fileids: demo.files.member.slice(1) }),
        () => attach(demo.users.admin.apiKey, 'case', demo.cases.private, { fileids: [...demo.files.outsider, ...demo.files.admin] }),
      ];

      const responses = await Promise.all([...requests, ...requests].map((request) => request()));

      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(await rows.counts(demo.id)).toEqual({ events: 10, links: 2 * (1 + 3 + 1 + 2 + 2) });
    });
  });
});
