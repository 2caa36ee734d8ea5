import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields, expectProblem, withoutId } from '../support/problem.js';
import { historyApi, eventIds, type Demo, type EventBody, type Query } from '../support/history-api.js';
import { useTestApp } from '../support/use-test-app.js';

/** GET /api/2.0/crm/history/filter: only readable events, and the events of one record. */

describe('GET /history/filter: readable events, entityType and entityId', () => {
  const { t, f } = useTestApp();
  const { filter, categoryIds, event, eventOnEveryRecord } = historyApi(t);

  describe('only readable events', () => {
    it("given events on every record, an outsider sees only those on records they can read; a private record's events never appear", async () => {
      const [demo, other] = await f.demo();
      const ids = await eventOnEveryRecord(demo);
      await eventOnEveryRecord(other);
      const visible = [ids.person, ids.company, ids.readOnlyCompany, ids.publicOpportunity, ids.publicCase].sort((a, b) => b - a);

      const response = await filter(demo.users.outsider.apiKey);

      expect(response.status).toBe(200);
      expect(response.headers['x-total-count']).toBe('5');
      expect(eventIds(response.body)).toEqual(visible);
    });

    it("given events on every record, the member on the access lists and the admin see all eight, and only their own tenant's", async () => {
      const [demo, other] = await f.demo();
      const ids = await eventOnEveryRecord(demo);
      await eventOnEveryRecord(other);
      const all = Object.values(ids).sort((a, b) => b - a);

      const member = await filter(demo.users.member.apiKey);
      const admin = await filter(demo.users.admin.apiKey);

      for (const response of [member, admin]) {
        expect(response.status).toBe(200);
        expect(response.headers['x-total-count']).toBe('8');
        expect(eventIds(response.body)).toEqual(all);
      }
    });

    it('given a filter by category or creator, the private events stay hidden from the outsider', async () => {
      const [demo] = await f.demo();
      const ids = await eventOnEveryRecord(demo);
      const { Note } = await categoryIds(demo.users.admin.apiKey);

      const byCategory = await filter(demo.users.outsider.apiKey, { categoryId: Note });
      const byCreator = await filter(demo.users.outsider.apiKey, { createBy: demo.users.admin.id, sortBy: 'content' });

      expect(byCategory.headers['x-total-count']).toBe('5');
      expect(eventIds(byCreator.body)).not.toContain(ids.privatePerson);
      expect(eventIds(byCreator.body)).not.toContain(ids.privateOpportunity);
      expect(eventIds(byCreator.body)).not.toContain(ids.privateCase);
      expect(byCreator.headers['x-total-count']).toBe('5');
    });

    it('given an event on an opportunity with a file, it is answered as a whole RelationshipEvent, with CanEdit for the caller', async () => {
      const [demo] = await f.demo();
      const { Call } = await categoryIds(demo.users.admin.apiKey);
      const posted = await event(demo.users.admin.apiKey, {
        entityType: 'opportunity',
        entityId: demo.opportunities.public,
        categoryId: Call,
        content: 'Called about the redesign',
        created: '2026-04-01T08:30:00Z',
        fileId: demo.files.admin,
      });

      const response = await filter(demo.users.outsider.apiKey, { entityType: 'opportunity', entityId: demo.opportunities.public });

      expect(response.status).toBe(200);
      expect(response.body).toStrictEqual([
        {
          ID: posted.ID,
          CreateBy: {
            Id: demo.users.admin.id,
            DisplayName: 'Alice Admin',
            Title: 'CRM administrator',
            AvatarSmall: null,
            ProfileUrl: null,
          },
          Created: '2026-04-01T08:30:00.000Z',
          Content: 'Called about the redesign',
          Category: { ID: Call, Title: 'Call', Description: null, Color: null, ImagePath: null, SortOrder: 2 },
          Contact: null,
          Entity: { EntityType: 'opportunity', EntityId: demo.opportunities.public, EntityTitle: 'Website redesign' },
          Files: [expect.objectContaining({ ID: demo.files.admin[0], Name: 'admin-notes.txt' })],
          CanEdit: true,
        },
      ]);
    });

    it("given events on a read-only company, CanEdit is true for the caller's own event and false for the admin's", async () => {
      const [demo] = await f.demo();
      const { Note } = await categoryIds(demo.users.admin.apiKey);
      const admins = await event(demo.users.admin.apiKey, { contactId: demo.contacts.readOnlyCompany, categoryId: Note, content: 'admin' });
      const own = await event(demo.users.outsider.apiKey, { contactId: demo.contacts.readOnlyCompany, categoryId: Note, content: 'own' });

      const response = await filter(demo.users.outsider.apiKey, { entityType: 'contact', entityId: demo.contacts.readOnlyCompany });

      expect(response.body.map((item: EventBody) => [item.ID, item.CanEdit])).toEqual([
        [own.ID, true],
        [admins.ID, false],
      ]);
    });
  });

  describe('entityType and entityId', () => {
    it("given a contact, only that contact's events are listed", async () => {
      const [demo] = await f.demo();
      const ids = await eventOnEveryRecord(demo);

      const response = await filter(demo.users.member.apiKey, { entityType: 'contact', entityId: demo.contacts.company });

      expect(response.status).toBe(200);
      expect(response.headers['x-total-count']).toBe('1');
      expect(eventIds(response.body)).toEqual([ids.company]);
    });

    it('given "CASE" in another letter case, the private case of the member is listed, not the opportunity with the same id', async () => {
      const [demo] = await f.demo();
      const ids = await eventOnEveryRecord(demo);

      const response = await filter(demo.users.member.apiKey, { entityType: 'CASE', entityId: demo.cases.private });

      expect(response.status).toBe(200);
      expect(eventIds(response.body)).toEqual([ids.privateCase]);
    });

    it.each([
      { name: 'entityType without entityId', query: { entityType: 'contact' }, field: 'entityId' },
      { name: 'entityId without entityType', query: { entityId: 1 }, field: 'entityType' },
      { name: 'an unknown entityType', query: { entityType: 'lead', entityId: 1 }, field: 'entityType' },
      { name: 'entityId 0', query: { entityType: 'contact', entityId: 0 }, field: 'entityId' },
      { name: 'entityId abc', query: { entityType: 'contact', entityId: 'abc' }, field: 'entityId' },
      { name: 'entityId 2147483648', query: { entityType: 'contact', entityId: 2_147_483_648 }, field: 'entityId' },
    ] as { name: string; query: Query; field: string }[])('given $name, the answer is 400 naming $field', async ({ query, field }) => {
      const [demo] = await f.demo();

      expectInvalidFields(await filter(demo.users.admin.apiKey, query), field);
    });

    it.each([
      {
        name: "the outsider and the member's private contact",
        role: 'outsider',
        type: 'contact',
        pick: (d: Demo) => d.contacts.privatePerson,
      },
      { name: 'the outsider and a private case', role: 'outsider', type: 'case', pick: (d: Demo) => d.cases.private },
      { name: 'a missing opportunity', role: 'admin', type: 'opportunity', pick: () => NO_SUCH_ID },
    ] as const)('given $name, the answer is 404', async ({ role, type, pick }) => {
      const [demo] = await f.demo();
      await eventOnEveryRecord(demo);

      const response = await filter(demo.users[role].apiKey, { entityType: type, entityId: pick(demo) });

      expectProblem(response, 404);
      expect(response.headers['x-total-count']).toBeUndefined();
    });

    it("given another tenant's record, the answer is the same 404 as for a missing one", async () => {
      const [demo, other] = await f.demo();

      const response = await filter(demo.users.admin.apiKey, { entityType: 'contact', entityId: other.contacts.person });
      const missing = await filter(demo.users.admin.apiKey, { entityType: 'contact', entityId: NO_SUCH_ID });

      expectProblem(response, 404);
      expect(withoutId(response.body, other.contacts.person)).toEqual(withoutId(missing.body, NO_SUCH_ID));
    });
  });
});
