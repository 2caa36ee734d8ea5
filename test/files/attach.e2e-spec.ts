import { describe, expect, it } from 'vitest';
import { ShareType } from '../../src/records/entities/share-type.js';
import { ISO_UTC } from '../support/constants.js';
import { useTestApp } from '../support/use-test-app.js';

/** POST /api/2.0/crm/{entityType}/{entityid}/files on success, through the real application. */

const FILES_UPLOADED_CATEGORY = { ID: -2, Title: 'Files are uploaded', Description: null, Color: null, ImagePath: null, SortOrder: 0 };

describe('POST /api/2.0/crm/{entityType}/{entityid}/files', () => {
  const { f, rows, attach } = useTestApp();

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
    ] as const)(
      'given a public $type written "$pathType" in the path, the event carries Entity and one row on ($type, id)',
      async ({ pathType, type }) => {
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
      },
    );

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
      expect(response.body.Contact).toMatchObject({
        ShareType: 2,
        IsPrivate: false,
        IsShared: true,
        AccessList: [],
        CanEdit: false,
        CanDelete: false,
        Currency: null,
      });
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
});
