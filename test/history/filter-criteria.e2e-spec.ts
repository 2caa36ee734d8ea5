import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectInvalidFields } from '../support/problem.js';
import { historyApi, eventIds, type Demo, type Query } from '../support/history-api.js';
import { useTestApp } from '../support/use-test-app.js';

/** GET /api/2.0/crm/history/filter: the criteria that narrow the events. */

describe('GET /history/filter: categoryId, createBy, fromDate and toDate', () => {
  const { t, f } = useTestApp();
  const { filter, categoryIds, event, eventOnEveryRecord } = historyApi(t);

  describe('categoryId, createBy, fromDate and toDate', () => {
    it('given categoryId, only events of that category are listed, system categories included', async () => {
      const [demo] = await f.demo();
      const { Note, Email } = await categoryIds(demo.users.admin.apiKey);
      const key = demo.users.member.apiKey;
      const note = await event(key, { contactId: demo.contacts.person, categoryId: Note, content: 'note' });
      const email = await event(key, { contactId: demo.contacts.person, categoryId: Email, content: 'email' });
      const attached = await t
        .http()
        .post(`/api/2.0/crm/contact/${demo.contacts.person}/files`)
        .set('Authorization', key)
        .send({ fileids: demo.files.member });

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
        const first = await event(demo.users.admin.apiKey, {
          contactId: demo.contacts.person,
          categoryId: Note,
          content: 'first',
          created: '1000-01-01T00:00:00Z',
        });
        const last = await event(demo.users.admin.apiKey, {
          contactId: demo.contacts.person,
          categoryId: Note,
          content: 'last',
          created: '9999-12-31T23:59:59.999Z',
        });

        const both = await list({ fromDate: '1000-01-01', toDate: '9999-12-31' });
        const lastDay = await list({ fromDate: '9999-12-31', toDate: '9999-12-31' });
        const firstDay = await list({ toDate: '1000-01-01' });

        expect(both.headers['x-total-count']).toBe('7');
        expect(eventIds(both.body)).toEqual([
          last.ID,
          ids.dayAfterFirstMs,
          ids.lastMs,
          ids.byOffset,
          ids.firstMs,
          ids.dayBeforeLastMs,
          first.ID,
        ]);
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
});
