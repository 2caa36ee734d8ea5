import { describe, expect, it } from 'vitest';
import { expectInvalidFields } from '../support/problem.js';
import { historyApi, eventIds, type EventBody, type Query } from '../support/history-api.js';
import { useTestApp } from '../support/use-test-app.js';

/** GET /api/2.0/crm/history/filter: sorting and paging. */

describe('GET /history/filter: sorting and paging', () => {
  const { t, f } = useTestApp();
  const { filter, categoryIds, event } = historyApi(t);

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
    ] as const)(
      'given sortBy=$sortBy, the default is ascending and sortOrder=descending reverses it',
      async ({ sortBy, ascending, descending }) => {
        const scenario = await scene();
        const named = (keys: readonly ('e1' | 'e2' | 'e3' | 'e4')[]) => keys.map((key) => scenario[key]);

        const byDefault = await scenario.list({ sortBy });
        const explicit = await scenario.list({ sortBy, sortOrder: 'ascending' });
        const reversed = await scenario.list({ sortBy, sortOrder: 'descending' });

        expect(eventIds(byDefault.body)).toEqual(named(ascending));
        expect(eventIds(explicit.body)).toEqual(named(ascending));
        expect(eventIds(reversed.body)).toEqual(named(descending));
        expect(reversed.headers['x-total-count']).toBe('4');
      },
    );

    it('given several events created at the same instant, ties are broken by id descending, whichever the order', async () => {
      const [demo] = await f.demo();
      const { Note } = await categoryIds(demo.users.admin.apiKey);
      const at = async (created: string) =>
        (await event(demo.users.admin.apiKey, { contactId: demo.contacts.person, categoryId: Note, content: 'same', created })).ID;
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
      for (let i = 0; i < 7; i++)
        ids.push(
          (
            await event(demo.users.member.apiKey, {
              contactId: demo.contacts.person,
              categoryId: Note,
              content: `n${i}`,
              created: `2026-02-0${i + 1}T00:00:00Z`,
            })
          ).ID,
        );
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

    it.each(['count=0', 'count=1001', 'startIndex=-1', 'count=abc', 'startIndex=x'])(
      'given the paging %s, the answer is 400',
      async (query) => {
        const [demo] = await f.demo();

        const response = await t.http().get(`/api/2.0/crm/history/filter?${query}`).set('Authorization', demo.users.admin.apiKey);

        expectInvalidFields(response, query.split('=')[0]);
      },
    );

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
