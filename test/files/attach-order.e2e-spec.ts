import { describe, expect, it } from 'vitest';
import { ShareType } from '../../src/records/entities/share-type.js';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectProblem } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/** POST /api/2.0/crm/{entityType}/{entityid}/files: the order of the checks, the statement count, concurrent attaches. */

const NO_SUCH_FILE_A = NO_SUCH_ID - 1;

describe('POST /api/2.0/crm/{entityType}/{entityid}/files: check order and concurrency', () => {
  const { t, f, rows, attach } = useTestApp();

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
        // The users the answer names come with the key, the record and the files: no query of their own.
        expect(sent.filter((sql) => /^\s*SELECT[\s\S]*\bFROM\s+["`]?users["`]?\s/i.test(sql))).toEqual([]);
        expect(result.body.Contact.AccessList.map((employee: { Id: string }) => employee.Id).sort()).toEqual([caller.id, other.id].sort());
        expect(result.body.Files.at(-1).CreatedBy.Id).toBe(other.id);
      }

      expect(statements[1]).toBe(statements[0]);
      expect(statements[2]).toBe(statements[0]);
      // The key with its user, the record with its access list (and their users) and currency,
      // the readable files with their users, then START / INSERT event / INSERT links / INSERT
      // its webhook event (the outbox) / COMMIT: no query of its own for the users the answer names.
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
      expect(one.statements.at(-2)).toMatch(/^INSERT INTO\W+webhook_events/i);
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
