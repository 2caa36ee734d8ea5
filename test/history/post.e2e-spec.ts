import { describe, expect, it } from 'vitest';
import { ISO_UTC, NO_SUCH_ID } from '../support/constants.js';
import { fixtures } from '../support/fixtures.js';
import { historyRows } from '../support/history-rows.js';
import { expectInvalidFields, expectProblem } from '../support/problem.js';
import { historyApi, type Demo } from '../support/history-api.js';
import { useTestApp } from '../support/use-test-app.js';

/** POST /api/2.0/crm/history: recording an event, through the real application. */

describe('POST /history', () => {
  const { t, f, rows } = useTestApp();
  const { post, filter, categoryIds } = historyApi(t);

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
      {
        id: response.body.ID,
        categoryId: Meeting,
        content: 'Met Grace for lunch',
        contactId: demo.contacts.person,
        entityType: null,
        entityId: null,
        createdBy: demo.users.member.id,
      },
    ]);
    expect(await rows.links(demo.id)).toEqual([
      { eventId: response.body.ID, fileId: second, position: 0 },
      { eventId: response.body.ID, fileId: first, position: 1 },
    ]);
  });

  it.each([
    { entityType: 'opportunity', type: 'opportunity', title: 'Confidential acquisition' },
    { entityType: 'Case', type: 'case', title: 'Contract dispute' },
  ] as const)(
    'given entityType "$entityType" and entityId, the event carries that Entity and no Contact',
    async ({ entityType, type, title }) => {
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
        {
          id: response.body.ID,
          categoryId: -1,
          content: 'Task done',
          contactId: null,
          entityType: type,
          entityId,
          createdBy: demo.users.member.id,
        },
      ]);
      expect(await rows.links(demo.id)).toEqual([]);
    },
  );

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
      {
        name: 'content of 65001 characters',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x'.repeat(65001) }),
        fields: ['content'],
      },
      {
        name: 'content that is a number',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 5 }),
        fields: ['content'],
      },
      { name: 'no categoryId', body: (d) => ({ contactId: d.contacts.person, content: 'x' }), fields: ['categoryId'] },
      {
        name: 'categoryId as a string',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: String(note), content: 'x' }),
        fields: ['categoryId'],
      },
      {
        name: 'both contactId and entityType + entityId',
        body: (d, note) => ({ contactId: d.contacts.person, entityType: 'case', entityId: d.cases.public, categoryId: note, content: 'x' }),
        fields: [],
      },
      { name: 'neither contactId nor entityType + entityId', body: (_d, note) => ({ categoryId: note, content: 'x' }), fields: [] },
      { name: 'entityType without entityId', body: (_d, note) => ({ entityType: 'case', categoryId: note, content: 'x' }), fields: [] },
      {
        name: 'entityId without entityType',
        body: (d, note) => ({ entityId: d.cases.public, categoryId: note, content: 'x' }),
        fields: [],
      },
      {
        name: 'entityType "contact"',
        body: (d, note) => ({ entityType: 'contact', entityId: d.contacts.person, categoryId: note, content: 'x' }),
        fields: ['entityType'],
      },
      { name: 'contactId 0', body: (_d, note) => ({ contactId: 0, categoryId: note, content: 'x' }), fields: ['contactId'] },
      {
        name: 'contactId as a string',
        body: (d, note) => ({ contactId: String(d.contacts.person), categoryId: note, content: 'x' }),
        fields: ['contactId'],
      },
      {
        name: 'created without a zone',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-11-27T09:12:27' }),
        fields: ['created'],
      },
      {
        name: 'created as a date only',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-11-27' }),
        fields: ['created'],
      },
      {
        name: 'created as words',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: 'yesterday' }),
        fields: ['created'],
      },
      {
        name: 'created as a number',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: 1764230400000 }),
        fields: ['created'],
      },
      {
        name: 'created on February 30',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-02-30T10:00:00Z' }),
        fields: ['created'],
      },
      {
        name: 'created at 24:00',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-02-10T24:00:00Z' }),
        fields: ['created'],
      },
      {
        name: 'created before the year 1000',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '0999-12-31T23:59:59Z' }),
        fields: ['created'],
      },
      {
        name: 'created in the year 1',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '0001-01-01T00:00:00Z' }),
        fields: ['created'],
      },
      {
        name: 'created after 9999 once its offset is applied',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '9999-12-31T23:59:59-05:00' }),
        fields: ['created'],
      },
      {
        name: 'created in month 13',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', created: '2026-13-01T10:00:00Z' }),
        fields: ['created'],
      },
      {
        name: 'fileId that is not an array',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', fileId: d.files.admin[0] }),
        fields: ['fileId'],
      },
      {
        name: 'a fileId of 0',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', fileId: [0] }),
        fields: ['fileId'],
      },
      {
        name: 'a fileId as a string',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', fileId: [String(d.files.admin[0])] }),
        fields: ['fileId'],
      },
      {
        name: 'an unknown property',
        body: (d, note) => ({ contactId: d.contacts.person, categoryId: note, content: 'x', title: 'no such thing' }),
        fields: ['title'],
      },
      {
        name: 'a property in the wrong case',
        body: (d, note) => ({ ContactId: d.contacts.person, categoryId: note, content: 'x' }),
        fields: ['ContactId'],
      },
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
    const { t: small } = useTestApp({ maxFileIds: 2 });

    it('given MAX_FILE_IDS 2, two file ids are accepted and three are 400, even when repeated', async () => {
      const [demo] = await fixtures(small.app).demo();
      const [a, b] = demo.files.member;
      const send = (fileId: number[]) =>
        small
          .http()
          .post('/api/2.0/crm/history')
          .set('Authorization', demo.users.member.apiKey)
          .send({ contactId: demo.contacts.person, categoryId: -2, content: 'x', fileId });

      const two = await send([a, b]);
      const three = await historyRows(small.dataSource).unchangedBy([demo.id], () => send([a, b, a]));

      expect(two.status).toBe(200);
      expectInvalidFields(three, 'fileId');
    });
  });
});
