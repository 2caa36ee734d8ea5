import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './support/fixtures.js';
import { historyRows } from './support/history-rows.js';
import { expectInvalidFields, expectProblem, type ProblemResponseBody } from './support/problem.js';
import { fileRows, storedExists } from './support/stored-files.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** SPEC §4.3: the History API, through the real application. */

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NO_SUCH_ID = 2_147_483_647;

type Demo = Awaited<ReturnType<ReturnType<typeof fixtures>['demo']>>[0];
type Query = Record<string, string | number>;
type EventBody = { ID: number; Content: string; Files: { ID: number }[]; [key: string]: unknown };

describe('History', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rows: ReturnType<typeof historyRows>;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t.app);
    rows = historyRows(t.dataSource);
  });
  afterAll(() => t?.close());

  const post = (apiKey: string, body: unknown) => t.http().post('/api/2.0/crm/history').set('Authorization', apiKey).send(body as object);
  const filter = (apiKey: string, query: Query = {}) =>
    t.http().get('/api/2.0/crm/history/filter').query(query).set('Authorization', apiKey);
  const remove = (apiKey: string, id: number | string) => t.http().delete(`/api/2.0/crm/history/${id}`).set('Authorization', apiKey);

  /** The tenant's categories by title, read through the API. */
  const categoryIds = async (apiKey: string): Promise<Record<string, number>> => {
    const response = await t.http().get('/api/2.0/crm/history/category').set('Authorization', apiKey);
    expect(response.status).toBe(200);
    return Object.fromEntries(response.body.map((category: { ID: number; Title: string }) => [category.Title, category.ID]));
  };

  /** Posts an event that must succeed, and answers it. */
  const event = async (apiKey: string, body: Record<string, unknown>): Promise<EventBody> => {
    const response = await post(apiKey, body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  const eventIds = (body: EventBody[]) => body.map((item) => item.ID);

  describe('GET /history/filter', () => {
    /** One Note by the admin on every record of the demo tenant. */
    const eventOnEveryRecord = async (demo: Demo) => {
      const { Note } = await categoryIds(demo.users.admin.apiKey);
      const key = demo.users.admin.apiKey;
      const on = async (target: Record<string, unknown>, content: string) => (await event(key, { ...target, categoryId: Note, content })).ID;
      return {
        person: await on({ contactId: demo.contacts.person }, 'on person'),
        company: await on({ contactId: demo.contacts.company }, 'on company'),
        readOnlyCompany: await on({ contactId: demo.contacts.readOnlyCompany }, 'on read-only company'),
        privatePerson: await on({ contactId: demo.contacts.privatePerson }, 'on private person'),
        publicOpportunity: await on({ entityType: 'opportunity', entityId: demo.opportunities.public }, 'on public opportunity'),
        privateOpportunity: await on({ entityType: 'opportunity', entityId: demo.opportunities.private }, 'on private opportunity'),
        publicCase: await on({ entityType: 'case', entityId: demo.cases.public }, 'on public case'),
        privateCase: await on({ entityType: 'case', entityId: demo.cases.private }, 'on private case'),
      };
    };

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

      it('given events on every record, the member on the access lists and the admin see all eight, and only their own tenant\'s', async () => {
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
            CreateBy: { Id: demo.users.admin.id, DisplayName: 'Alice Admin', Title: 'CRM administrator', AvatarSmall: null, ProfileUrl: null },
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
        { name: "the outsider and the member's private contact", role: 'outsider', type: 'contact', pick: (d: Demo) => d.contacts.privatePerson },
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
        const withoutId = (body: ProblemResponseBody, id: number) => ({ ...body, detail: body.detail.split(String(id)).join('<id>') });
        expect(withoutId(response.body, other.contacts.person)).toEqual(withoutId(missing.body, NO_SUCH_ID));
      });
    });

    describe('categoryId, createBy, fromDate and toDate', () => {
      it('given categoryId, only events of that category are listed, system categories included', async () => {
        const [demo] = await f.demo();
        const { Note, Email } = await categoryIds(demo.users.admin.apiKey);
        const key = demo.users.member.apiKey;
        const note = await event(key, { contactId: demo.contacts.person, categoryId: Note, content: 'note' });
        const email = await event(key, { contactId: demo.contacts.person, categoryId: Email, content: 'email' });
        const attached = await t.http().post(`/api/2.0/crm/contact/${demo.contacts.person}/files`).set('Authorization', key).send({ fileids: demo.files.member });

        const notes = await filter(key, { categoryId: Note });
        const emails = await filter(key, { categoryId: Email });
        const uploads = await filter(key, { categoryId: -2 });

        expect(eventIds(notes.body)).toEqual([note.ID]);
        expect(eventIds(emails.body)).toEqual([email.ID]);
        expect(eventIds(uploads.body)).toEqual([attached.body.ID]);
        expect([notes, emails, uploads].map((response) => response.headers['x-total-count'])).toEqual(['1', '1', '1']);
      });

      it("given createBy, only that user's events are listed, whatever the letter case of the uuid", async () => {
        const [demo] = await f.demo();
        const { Note } = await categoryIds(demo.users.admin.apiKey);
        const byMember = await event(demo.users.member.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: 'member' });
        await event(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: 'admin' });

        const lower = await filter(demo.users.admin.apiKey, { createBy: demo.users.member.id });
        const upper = await filter(demo.users.admin.apiKey, { createBy: demo.users.member.id.toUpperCase() });

        expect(eventIds(lower.body)).toEqual([byMember.ID]);
        expect(eventIds(upper.body)).toEqual([byMember.ID]);
      });

      describe('whole UTC days, inclusive', () => {
        const scene = async () => {
          const [demo] = await f.demo();
          const { Note } = await categoryIds(demo.users.admin.apiKey);
          const at = async (created: string) =>
            (await event(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: created, created })).ID;
          const ids = {
            dayBeforeLastMs: await at('2026-03-09T23:59:59.999Z'),
            firstMs: await at('2026-03-10T00:00:00.000Z'),
            byOffset: await at('2026-03-11T00:30:00+01:00'),
            lastMs: await at('2026-03-10T23:59:59.999Z'),
            dayAfterFirstMs: await at('2026-03-11T00:00:00.000Z'),
          };
          return { demo, ids, list: (query: Record<string, string>) => filter(demo.users.admin.apiKey, query) };
        };

        it('given fromDate and toDate the same day, every event of that UTC day is listed, from its first to its last millisecond', async () => {
          const { ids, list } = await scene();

          const response = await list({ fromDate: '2026-03-10', toDate: '2026-03-10' });

          expect(response.status).toBe(200);
          expect(response.headers['x-total-count']).toBe('3');
          expect(eventIds(response.body)).toEqual([ids.lastMs, ids.byOffset, ids.firstMs]);
        });

        it('given only fromDate, events from the start of that day on are listed', async () => {
          const { ids, list } = await scene();

          const response = await list({ fromDate: '2026-03-10' });

          expect(eventIds(response.body)).toEqual([ids.dayAfterFirstMs, ids.lastMs, ids.byOffset, ids.firstMs]);
        });

        it('given only toDate, events up to the end of that day are listed', async () => {
          const { ids, list } = await scene();

          const response = await list({ toDate: '2026-03-10' });

          expect(eventIds(response.body)).toEqual([ids.lastMs, ids.byOffset, ids.firstMs, ids.dayBeforeLastMs]);
        });

        it('given the first and last days there are, 1000-01-01 and 9999-12-31, every event between them is listed', async () => {
          const { demo, ids, list } = await scene();
          const { Note } = await categoryIds(demo.users.admin.apiKey);
          const first = await event(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: 'first', created: '1000-01-01T00:00:00Z' });
          const last = await event(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: 'last', created: '9999-12-31T23:59:59.999Z' });

          const both = await list({ fromDate: '1000-01-01', toDate: '9999-12-31' });
          const lastDay = await list({ fromDate: '9999-12-31', toDate: '9999-12-31' });
          const firstDay = await list({ toDate: '1000-01-01' });

          expect(both.headers['x-total-count']).toBe('7');
          expect(eventIds(both.body)).toEqual([last.ID, ids.dayAfterFirstMs, ids.lastMs, ids.byOffset, ids.firstMs, ids.dayBeforeLastMs, first.ID]);
          expect(eventIds(lastDay.body)).toEqual([last.ID]);
          expect(eventIds(firstDay.body)).toEqual([first.ID]);
        });

        it('given fromDate after toDate, the answer is 400', async () => {
          const { list } = await scene();

          expectInvalidFields(await list({ fromDate: '2026-03-11', toDate: '2026-03-10' }), 'fromDate');
        });

        it.each(['2026-02-30', '2026-13-01', '2026-3-10', '10.03.2026', '2026-03-10T00:00:00Z', 'yesterday', ''])(
          'given the date %j, the answer is 400',
          async (value) => {
            const { list } = await scene();

            expectInvalidFields(await list({ fromDate: value }), 'fromDate');
            expectInvalidFields(await list({ toDate: value }), 'toDate');
          },
        );
      });

      it.each([
        { name: 'categoryId abc', query: { categoryId: 'abc' }, field: 'categoryId' },
        { name: 'categoryId 1.5', query: { categoryId: '1.5' }, field: 'categoryId' },
        { name: 'createBy that is not a uuid', query: { createBy: 'alice' }, field: 'createBy' },
      ] as { name: string; query: Query; field: string }[])('given $name, the answer is 400 naming $field', async ({ query, field }) => {
        const [demo] = await f.demo();

        expectInvalidFields(await filter(demo.users.admin.apiKey, query), field);
      });

      it.each([
        { name: 'a category that does not exist', query: () => ({ categoryId: NO_SUCH_ID }) },
        { name: 'a system category without events', query: () => ({ categoryId: -3 }) },
        { name: 'a user who does not exist', query: () => ({ createBy: randomUUID() }) },
        { name: 'days without events', query: () => ({ fromDate: '2090-01-01', toDate: '2090-12-31' }) },
        { name: "another tenant's user", query: (other: Demo) => ({ createBy: other.users.admin.id }) },
      ])('given $name, the answer is an empty list with X-Total-Count 0', async ({ query }) => {
        const [demo, other] = await f.demo();
        await eventOnEveryRecord(demo);
        await eventOnEveryRecord(other);

        const response = await filter(demo.users.admin.apiKey, query(other));

        expect(response.status).toBe(200);
        expect(response.body).toEqual([]);
        expect(response.headers['x-total-count']).toBe('0');
      });
    });

    describe('sorting', () => {
      /** Four events that each sort differently by every key. */
      const scene = async () => {
        const tenant = await f.tenant();
        const amy = await f.user(tenant.id, { name: 'Amy Adams' });
        const bob = await f.user(tenant.id, { name: 'Bob Brown' });
        const cid = await f.user(tenant.id, { name: 'Cid Clark' });
        const contactId = await f.contact(tenant.id);
        const { Note, Call, Email } = await categoryIds(amy.apiKey);
        const at = async (who: { apiKey: string }, categoryId: number, content: string, created: string) =>
          (await event(who.apiKey, { contactId, categoryId, content, created })).ID;
        const e1 = await at(bob, Note, 'charlie', '2026-01-02T00:00:00Z');
        const e2 = await at(amy, Call, 'alpha', '2026-01-03T00:00:00Z');
        const e3 = await at(cid, -2, 'bravo', '2026-01-01T00:00:00Z');
        const e4 = await at(amy, Email, 'delta', '2026-01-04T00:00:00Z');
        return { e1, e2, e3, e4, list: (query: Record<string, string>) => filter(amy.apiKey, query) };
      };

      it('given no sortBy, events are newest first', async () => {
        const { e1, e2, e3, e4, list } = await scene();

        expect(eventIds((await list({})).body)).toEqual([e4, e2, e1, e3]);
      });

      it.each([
        { sortBy: 'created', ascending: ['e3', 'e1', 'e2', 'e4'], descending: ['e4', 'e2', 'e1', 'e3'] },
        // Amy's two events tie: id descending, in both directions.
        { sortBy: 'createBy', ascending: ['e4', 'e2', 'e1', 'e3'], descending: ['e3', 'e1', 'e4', 'e2'] },
        // Call, Email, Files are uploaded (system category -2), Note.
        { sortBy: 'category', ascending: ['e2', 'e4', 'e3', 'e1'], descending: ['e1', 'e3', 'e4', 'e2'] },
        { sortBy: 'content', ascending: ['e2', 'e3', 'e1', 'e4'], descending: ['e4', 'e1', 'e3', 'e2'] },
        { sortBy: 'id', ascending: ['e1', 'e2', 'e3', 'e4'], descending: ['e4', 'e3', 'e2', 'e1'] },
      ] as const)('given sortBy=$sortBy, the default is ascending and sortOrder=descending reverses it', async ({ sortBy, ascending, descending }) => {
        const scenario = await scene();
        const named = (keys: readonly ('e1' | 'e2' | 'e3' | 'e4')[]) => keys.map((key) => scenario[key]);

        const byDefault = await scenario.list({ sortBy });
        const explicit = await scenario.list({ sortBy, sortOrder: 'ascending' });
        const reversed = await scenario.list({ sortBy, sortOrder: 'descending' });

        expect(eventIds(byDefault.body)).toEqual(named(ascending));
        expect(eventIds(explicit.body)).toEqual(named(ascending));
        expect(eventIds(reversed.body)).toEqual(named(descending));
        expect(reversed.headers['x-total-count']).toBe('4');
      });

      it('given several events created at the same instant, ties are broken by id descending, whichever the order', async () => {
        const [demo] = await f.demo();
        const { Note } = await categoryIds(demo.users.admin.apiKey);
        const at = async (created: string) => (await event(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: 'same', created })).ID;
        const earlier = await at('2026-06-01T09:59:59.999Z');
        const a = await at('2026-06-01T10:00:00Z');
        const b = await at('2026-06-01T10:00:00.000Z');
        const c = await at('2026-06-01T12:00:00+02:00');

        const newestFirst = await filter(demo.users.admin.apiKey);
        const ascending = await filter(demo.users.admin.apiKey, { sortBy: 'created' });
        const byContent = await filter(demo.users.admin.apiKey, { sortBy: 'content', sortOrder: 'ascending' });

        expect(eventIds(newestFirst.body)).toEqual([c, b, a, earlier]);
        expect(eventIds(ascending.body)).toEqual([earlier, c, b, a]);
        expect(eventIds(byContent.body)).toEqual([c, b, a, earlier]);
      });

      it.each([
        { query: { sortBy: 'title' }, field: 'sortBy' },
        { query: { sortBy: 'Created' }, field: 'sortBy' },
        { query: { sortBy: 'created', sortOrder: 'desc' }, field: 'sortOrder' },
        { query: { sortOrder: 'up' }, field: 'sortOrder' },
      ] as { query: Query; field: string }[])('given $query, the answer is 400 naming $field', async ({ query, field }) => {
        const [demo] = await f.demo();

        expectInvalidFields(await filter(demo.users.admin.apiKey, query), field);
      });
    });

    describe('paging', () => {
      it('given startIndex and count, that page is answered and X-Total-Count counts every matching event', async () => {
        const [demo] = await f.demo();
        const { Note } = await categoryIds(demo.users.admin.apiKey);
        const ids: number[] = [];
        for (let i = 0; i < 7; i++) ids.push((await event(demo.users.member.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: `n${i}`, created: `2026-02-0${i + 1}T00:00:00Z` })).ID);
        const newestFirst = [...ids].reverse();

        const first = await filter(demo.users.member.apiKey, { count: 3 });
        const middle = await filter(demo.users.member.apiKey, { startIndex: 3, count: 3 });
        const last = await filter(demo.users.member.apiKey, { startIndex: 6, count: 3 });
        const beyond = await filter(demo.users.member.apiKey, { startIndex: 100 });

        expect([first, middle, last, beyond].map((response) => [response.status, response.headers['x-total-count']])).toEqual(
          Array.from({ length: 4 }, () => [200, '7']),
        );
        expect(eventIds(first.body)).toEqual(newestFirst.slice(0, 3));
        expect(eventIds(middle.body)).toEqual(newestFirst.slice(3, 6));
        expect(eventIds(last.body)).toEqual(newestFirst.slice(6));
        expect(beyond.body).toEqual([]);
      });

      it.each(['count=0', 'count=1001', 'startIndex=-1', 'count=abc', 'startIndex=x'])('given the paging %s, the answer is 400', async (query) => {
        const [demo] = await f.demo();

        const response = await t.http().get(`/api/2.0/crm/history/filter?${query}`).set('Authorization', demo.users.admin.apiKey);

        expectInvalidFields(response, query.split('=')[0]);
      });

      it('given a page of 5 and a page of 50 events with files on several records and creators, both take the same number of SQL statements', async () => {
        const [demo] = await f.demo();
        const categories = await categoryIds(demo.users.admin.apiKey);
        const targets = [
          { contactId: demo.contacts.person },
          { contactId: demo.contacts.privatePerson },
          { contactId: demo.contacts.company },
          { entityType: 'opportunity', entityId: demo.opportunities.public },
          { entityType: 'case', entityId: demo.cases.private },
        ];
        const creators = [
          { key: demo.users.admin.apiKey, files: demo.files.admin },
          { key: demo.users.member.apiKey, files: demo.files.member },
        ];
        const categoryList = [...Object.values(categories), -1, -2, -3];
        for (let i = 0; i < 55; i++) {
          const creator = creators[i % 2];
          await event(creator.key, {
            ...targets[i % targets.length],
            categoryId: categoryList[i % categoryList.length],
            content: `event ${i}`,
            fileId: creator.files.slice(0, (i % creator.files.length) + 1),
          });
        }

        const five = await t.queries.count(() => filter(demo.users.member.apiKey, { count: 5 }));
        const fifty = await t.queries.count(() => filter(demo.users.member.apiKey, { count: 50, startIndex: 2 }));

        expect(five.result.body).toHaveLength(5);
        expect(fifty.result.body).toHaveLength(50);
        expect(fifty.result.headers['x-total-count']).toBe('55');
        expect(fifty.result.body.flatMap((item: EventBody) => item.Files).length).toBeGreaterThan(50);
        expect(fifty.statements.length).toBe(five.statements.length);
      });
    });
  });

  describe('POST /history', () => {
    it('given a contact, the answer is 200 with the whole RelationshipEvent and one event row and its links are written', async () => {
      const [demo] = await f.demo();
      const { Meeting } = await categoryIds(demo.users.member.apiKey);
      const [first, second] = demo.files.member;
      const member = { Id: demo.users.member.id, DisplayName: 'Mark Member', Title: 'Account manager', AvatarSmall: null, ProfileUrl: null };

      const response = await post(demo.users.member.apiKey, {
        contactId: demo.contacts.person,
        categoryId: Meeting,
        content: 'Met Grace for lunch',
        created: '2026-11-27T09:12:27Z',
        fileId: [second, first, second],
      });

      expect(response.status).toBe(200);
      expect(response.body).toStrictEqual({
        ID: expect.any(Number),
        CreateBy: member,
        Created: '2026-11-27T09:12:27.000Z',
        Content: 'Met Grace for lunch',
        Category: { ID: Meeting, Title: 'Meeting', Description: null, Color: null, ImagePath: null, SortOrder: 3 },
        Contact: expect.objectContaining({ ID: demo.contacts.person, DisplayName: 'Grace Hopper', IsCompany: false, ShareType: 1 }),
        Entity: null,
        Files: [
          expect.objectContaining({ ID: second, Name: 'proposal-draft.txt', CreatedBy: member }),
          expect.objectContaining({ ID: first, Name: 'meeting-minutes.txt', CreatedBy: member }),
        ],
        CanEdit: true,
      });
      expect(await rows.events(demo.id)).toEqual([
        { id: response.body.ID, categoryId: Meeting, content: 'Met Grace for lunch', contactId: demo.contacts.person, entityType: null, entityId: null, createdBy: demo.users.member.id },
      ]);
      expect(await rows.links(demo.id)).toEqual([
        { eventId: response.body.ID, fileId: second, position: 0 },
        { eventId: response.body.ID, fileId: first, position: 1 },
      ]);
    });

    it.each([
      { entityType: 'opportunity', type: 'opportunity', title: 'Confidential acquisition' },
      { entityType: 'Case', type: 'case', title: 'Contract dispute' },
    ] as const)('given entityType "$entityType" and entityId, the event carries that Entity and no Contact', async ({ entityType, type, title }) => {
      const [demo] = await f.demo();
      const entityId = type === 'opportunity' ? demo.opportunities.private : demo.cases.private;

      const response = await post(demo.users.member.apiKey, { entityType, entityId, categoryId: -1, content: 'Task done' });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        Contact: null,
        Entity: { EntityType: type, EntityId: entityId, EntityTitle: title },
        Category: { ID: -1, Title: 'Task is closed' },
        Files: [],
      });
      expect(await rows.events(demo.id)).toEqual([
        { id: response.body.ID, categoryId: -1, content: 'Task done', contactId: null, entityType: type, entityId, createdBy: demo.users.member.id },
      ]);
      expect(await rows.links(demo.id)).toEqual([]);
    });

    it('given no created, the event is created now', async () => {
      const [demo] = await f.demo();
      const { Note } = await categoryIds(demo.users.admin.apiKey);

      const before = Date.now();
      const response = await post(demo.users.admin.apiKey, { contactId: demo.contacts.company, categoryId: Note, content: 'now' });
      const after = Date.now();

      expect(response.status).toBe(200);
      expect(response.body.Created).toMatch(ISO_UTC);
      expect(Date.parse(response.body.Created)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(response.body.Created)).toBeLessThanOrEqual(after + 1000);
    });

    it.each([
      { created: '2026-11-27T09:12:27Z', kept: '2026-11-27T09:12:27.000Z' },
      { created: '2026-11-27T09:12:27.123Z', kept: '2026-11-27T09:12:27.123Z' },
      { created: '2026-11-27T10:12:27+01:00', kept: '2026-11-27T09:12:27.000Z' },
      { created: '2026-11-27T04:42:27.5-04:30', kept: '2026-11-27T09:12:27.500Z' },
      { created: '2026-11-27T09:12Z', kept: '2026-11-27T09:12:00.000Z' },
      { created: '2024-02-29T23:30:00-01:00', kept: '2024-03-01T00:30:00.000Z' },
      { created: '1000-01-01T00:00:00Z', kept: '1000-01-01T00:00:00.000Z' },
      { created: '9999-12-31T23:59:59.999Z', kept: '9999-12-31T23:59:59.999Z' },
    ])('given created $created, the instant is kept: $kept', async ({ created, kept }) => {
      const [demo] = await f.demo();
      const { Note } = await categoryIds(demo.users.admin.apiKey);

      const response = await post(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: 'dated', created });

      expect(response.status).toBe(200);
      expect(response.body.Created).toBe(kept);
      const listed = await filter(demo.users.admin.apiKey, { entityType: 'contact', entityId: demo.contacts.person });
      expect(listed.body[0].Created).toBe(kept);
    });

    describe('400 for an invalid form, nothing written', () => {
      const cases: { name: string; body: (d: Demo, note: number) => Record<string, unknown>; fields: string[] }[] = [
        { name: 'no content', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note }), fields: ['content'] },
        { name: 'empty content', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: '' }), fields: ['content'] },
        { name: 'content of 65001 characters', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x'.repeat(65001) }), fields: ['content'] },
        { name: 'content that is a number', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 5 }), fields: ['content'] },
        { name: 'no categoryId', body: (d) => ({ contactId: d.contacts.person, content: 'x' }), fields: ['categoryId'] },
        { name: 'categoryId as a string', body: (d, note) => ({ contactId: d.contacts.person, categoryId: String(note), content: 'x' }), fields: ['categoryId'] },
        { name: 'both contactId and entityType + entityId', body: (d, note) => ({ contactId: d.contacts.person, entityType: 'case', entityId: d.cases.public, categoryId: note, content: 'x' }), fields: [] },
        { name: 'neither contactId nor entityType + entityId', body: (_d, note) => ({ categoryId: note, content: 'x' }), fields: [] },
        { name: 'entityType without entityId', body: (_d, note) => ({ entityType: 'case', categoryId: note, content: 'x' }), fields: [] },
        { name: 'entityId without entityType', body: (d, note) => ({ entityId: d.cases.public, categoryId: note, content: 'x' }), fields: [] },
        { name: 'entityType "contact"', body: (d, note) => ({ entityType: 'contact', entityId: d.contacts.person, categoryId: note, content: 'x' }), fields: ['entityType'] },
        { name: 'contactId 0', body: (_d, note) => ({ contactId: 0, categoryId: note, content: 'x' }), fields: ['contactId'] },
        { name: 'contactId as a string', body: (d, note) => ({ contactId: String(d.contacts.person), categoryId: note, content: 'x' }), fields: ['contactId'] },
        { name: 'created without a zone', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-11-27T09:12:27' }), fields: ['created'] },
        { name: 'created as a date only', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-11-27' }), fields: ['created'] },
        { name: 'created as words', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: 'yesterday' }), fields: ['created'] },
        { name: 'created as a number', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: 1764230400000 }), fields: ['created'] },
        { name: 'created on February 30', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-02-30T10:00:00Z' }), fields: ['created'] },
        { name: 'created at 24:00', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-02-10T24:00:00Z' }), fields: ['created'] },
        { name: 'created before the year 1000', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '0999-12-31T23:59:59Z' }), fields: ['created'] },
        { name: 'created in the year 1', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '0001-01-01T00:00:00Z' }), fields: ['created'] },
        { name: 'created after 9999 once its offset is applied', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '9999-12-31T23:59:59-05:00' }), fields: ['created'] },
        { name: 'created in month 13', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-13-01T10:00:00Z' }), fields: ['created'] },
        { name: 'fileId that is not an array', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', fileId: d.files.admin[0] }), fields: ['fileId'] },
        { name: 'a fileId of 0', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', fileId: [0] }), fields: ['fileId'] },
        { name: 'a fileId as a string', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', fileId: [String(d.files.admin[0])] }), fields: ['fileId'] },
        { name: 'an unknown property', body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', title: 'no such thing' }), fields: ['title'] },
        { name: 'a property in the wrong case', body: (d, note) => ({ ContactId: d.contacts.person, categoryId: note, content: 'x' }), fields: ['ContactId'] },
      ];

      it.each(cases)('given $name, the answer is 400', async ({ body, fields }) => {
        const [demo] = await f.demo();
        const { Note } = await categoryIds(demo.users.admin.apiKey);

        const response = await rows.unchangedBy([demo.id], () => post(demo.users.admin.apiKey, body(demo, Note)));

        if (fields.length) expectInvalidFields(response, ...fields);
        else expectProblem(response, 400);
      });

      it.each([
        { name: 'a category that does not exist', category: () => NO_SUCH_ID },
        { name: 'category 0', category: () => 0 },
        { name: 'a system-looking category -4', category: () => -4 },
        { name: "another tenant's Note category", category: (other: Record<string, number>) => other.Note },
      ])('given $name, the answer is 400 naming categoryId', async ({ category }) => {
        const [demo, other] = await f.demo();
        const otherCategories = await categoryIds(other.users.admin.apiKey);

        const response = await rows.unchangedBy([demo.id, other.id], () =>
          post(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: category(otherCategories), content: 'x' }),
        );

        expectInvalidFields(response, 'categoryId');
      });

      it('given a JSON body without Content-Type application/json, the answer is 415', async () => {
        const [demo] = await f.demo();

        const response = await rows.unchangedBy([demo.id], () =>
          t.http().post('/api/2.0/crm/history').set('Authorization', demo.users.admin.apiKey).set('Content-Type', 'text/plain').send('{}'),
        );

        expectProblem(response, 415);
      });
    });

    it('given content of exactly 65000 characters, multi-byte ones included, it is kept whole', async () => {
      const [demo] = await f.demo();
      const { Note } = await categoryIds(demo.users.admin.apiKey);
      // 65000 characters (code points): the emoji take two UTF-16 units and four UTF-8 bytes each.
      const content = Array.from('日本😀'.repeat(21_667)).slice(0, 65000).join('');
      expect(Array.from(content)).toHaveLength(65000);

      const response = await post(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content });

      expect(response.status).toBe(200);
      expect(response.body.Content).toBe(content);
      expect((await rows.events(demo.id))[0].content).toBe(content);
    });

    it('given an empty fileId list, the event has no files', async () => {
      const [demo] = await f.demo();

      const response = await post(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: -3, content: 'mail', fileId: [] });

      expect(response.status).toBe(200);
      expect(response.body.Files).toEqual([]);
      expect(await rows.counts(demo.id)).toEqual({ events: 1, links: 0 });
    });

    it('given files that are missing, unreadable or of another tenant, the answer is 404 listing them in request order, and nothing is written', async () => {
      const [demo, other] = await f.demo();
      const fileIds = [demo.files.member[0], NO_SUCH_ID, demo.files.admin[0], other.files.outsider[0], demo.files.outsider[0]];

      const response = await rows.unchangedBy([demo.id, other.id], () =>
        post(demo.users.outsider.apiKey, { contactId: demo.contacts.person, categoryId: -2, content: 'x', fileId: fileIds }),
      );

      const body = expectProblem(response, 404);
      expect(body.missingFileIds).toEqual([demo.files.member[0], NO_SUCH_ID, demo.files.admin[0], other.files.outsider[0]]);
    });

    it.each([
      { name: "the member's private contact", target: (d: Demo) => ({ contactId: d.contacts.privatePerson }) },
      { name: 'a private opportunity', target: (d: Demo) => ({ entityType: 'opportunity', entityId: d.opportunities.private }) },
      { name: 'a missing case', target: () => ({ entityType: 'case', entityId: NO_SUCH_ID }) },
    ])('given $name, the outsider gets 404 and nothing is written', async ({ target }) => {
      const [demo] = await f.demo();

      const response = await rows.unchangedBy([demo.id], () =>
        post(demo.users.outsider.apiKey, { ...target(demo), categoryId: -1, content: 'x', fileId: demo.files.outsider }),
      );

      expectProblem(response, 404);
    });

    describe('MAX_FILE_IDS', () => {
      let small: TestApp;
      beforeAll(async () => {
        small = await startTestApp({ maxFileIds: 2 });
      });
      afterAll(() => small?.close());

      it('given MAX_FILE_IDS 2, two file ids are accepted and three are 400, even when repeated', async () => {
        const [demo] = await fixtures(small.app).demo();
        const [a, b] = demo.files.member;
        const send = (fileId: number[]) =>
          small.http().post('/api/2.0/crm/history').set('Authorization', demo.users.member.apiKey).send({ contactId: demo.contacts.person, categoryId: -2, content: 'x', fileId });

        const two = await send([a, b]);
        const three = await historyRows(small.dataSource).unchangedBy([demo.id], () => send([a, b, a]));

        expect(two.status).toBe(200);
        expectInvalidFields(three, 'fileId');
      });
    });
  });

  describe('DELETE /history/{id}', () => {
    const contentExists = (tenantId: number, fileId: number) => storedExists(t.config.filesDir, t.storageKey(tenantId, fileId));

    it('given an editable event, the answer is 200 with the event as it was, and its row and links are gone', async () => {
      const [demo] = await f.demo();
      const { Note } = await categoryIds(demo.users.admin.apiKey);
      const posted = await event(demo.users.member.apiKey, { contactId: demo.contacts.company, categoryId: Note, content: 'bye', fileId: demo.files.member });
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
      const elsewhere = await event(demo.users.member.apiKey, { contactId: demo.contacts.company, categoryId: Note, content: 'elsewhere', fileId: [linkedElsewhere] });
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

    it("given an admin, a file only that event links is deleted whoever created it", async () => {
      const [demo] = await f.demo();
      const files = fileRows(t.dataSource);
      const fileId = demo.files.outsider[0];
      const posted = await event(demo.users.outsider.apiKey, { contactId: demo.contacts.person, categoryId: -2, content: 'x', fileId: [fileId] });

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

    it('given a private opportunity the member is listed on, the member may delete the admin\'s event there', async () => {
      const [demo] = await f.demo();
      const posted = await event(demo.users.admin.apiKey, { entityType: 'opportunity', entityId: demo.opportunities.private, categoryId: -1, content: 'x' });

      const response = await remove(demo.users.member.apiKey, posted.ID);

      expect(response.status).toBe(200);
      expect(response.body.Entity).toEqual({ EntityType: 'opportunity', EntityId: demo.opportunities.private, EntityTitle: 'Confidential acquisition' });
    });

    it("given the admin's event on a read-only company, a member gets 403 and nothing changes", async () => {
      const [demo] = await f.demo();
      const files = fileRows(t.dataSource);
      const fileId = demo.files.admin[0];
      const posted = await event(demo.users.admin.apiKey, { contactId: demo.contacts.readOnlyCompany, categoryId: -2, content: 'x', fileId: [fileId] });

      const response = await rows.unchangedBy([demo.id], () => remove(demo.users.member.apiKey, posted.ID));

      expectProblem(response, 403);
      expect((await rows.events(demo.id)).map((row) => row.id)).toEqual([posted.ID]);
      expect(await files.byId(fileId)).not.toBeNull();
      expect(await contentExists(demo.id, fileId)).toBe(true);
    });

    it("given an event the caller cannot read, another tenant's event, or none, the answer is 404 and nothing changes", async () => {
      const [demo, other] = await f.demo();
      const onPrivate = await event(demo.users.member.apiKey, { contactId: demo.contacts.privatePerson, categoryId: -1, content: 'x', fileId: demo.files.member });

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

  describe('GET /history/category', () => {
    const list = (apiKey: string) => t.http().get('/api/2.0/crm/history/category').set('Authorization', apiKey);

    it("given a new tenant, the answer is Note, Email, Call and Meeting with PascalCase keys, and no system category", async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);

      const response = await list(user.apiKey);

      expect(response.status).toBe(200);
      expect(response.body).toStrictEqual(
        ['Note', 'Email', 'Call', 'Meeting'].map((Title, SortOrder) => ({
          ID: expect.any(Number),
          Title,
          Description: null,
          Color: null,
          ImagePath: null,
          SortOrder,
        })),
      );
      const ids = response.body.map((category: { ID: number }) => category.ID);
      expect(ids.every((id: number) => id > 0)).toBe(true);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    });

    it("given categories with equal SortOrder, they are ordered by SortOrder then ID, and another tenant's are not listed", async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);
      const other = await f.tenant();
      const insert = (tenantId: number, title: string, sortOrder: number) =>
        t.dataSource.query('INSERT INTO history_categories (tenant_id, title, description, color, image_path, sort_order) VALUES (?, ?, ?, ?, ?, ?)', [
          tenantId,
          title,
          `${title} things`,
          '#ff0000',
          null,
          sortOrder,
        ]);
      await insert(tenant.id, 'Zeta', 1);
      await insert(tenant.id, 'Alpha', -1);
      await insert(other.id, 'Foreign', 0);

      const response = await list(user.apiKey);

      expect(response.status).toBe(200);
      expect(response.body.map((category: { Title: string; SortOrder: number }) => [category.Title, category.SortOrder])).toEqual([
        ['Alpha', -1],
        ['Note', 0],
        ['Email', 1],
        ['Zeta', 1],
        ['Call', 2],
        ['Meeting', 3],
      ]);
      expect(response.body[3]).toStrictEqual({ ID: expect.any(Number), Title: 'Zeta', Description: 'Zeta things', Color: '#ff0000', ImagePath: null, SortOrder: 1 });
    });

    it('given no API key, the answer is 401', async () => {
      expectProblem(await t.http().get('/api/2.0/crm/history/category'), 401);
    });
  });
});
