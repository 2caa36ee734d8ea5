import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectProblem, withoutId } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/** POST /api/2.0/crm/{entityType}/{entityid}/files: who may attach what to which record. */

const NO_SUCH_FILE_A = NO_SUCH_ID - 1;
const NO_SUCH_FILE_B = NO_SUCH_ID - 2;

describe('POST /api/2.0/crm/{entityType}/{entityid}/files: access', () => {
  const { f, rows, attach } = useTestApp();

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
      const privateOf = (demo: Awaited<ReturnType<typeof f.demo>>[0]) =>
        type === 'opportunity' ? demo.opportunities.private : demo.cases.private;

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
        const theirRecord =
          type === 'contact' ? theirs.contacts.person : type === 'opportunity' ? theirs.opportunities.public : theirs.cases.public;

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
      const fileids = [
        theirs.files.member[0],
        mine.files.member[0],
        NO_SUCH_FILE_B,
        mine.files.admin[0],
        mine.files.member[2],
        NO_SUCH_FILE_A,
      ];

      const response = await rows.unchangedBy([mine.id, theirs.id], () =>
        attach(mine.users.member.apiKey, 'opportunity', mine.opportunities.public, { fileids }),
      );

      expect(expectProblem(response, 404).missingFileIds).toEqual([
        theirs.files.member[0],
        NO_SUCH_FILE_B,
        mine.files.admin[0],
        NO_SUCH_FILE_A,
      ]);
    });

    it("given an admin's file attached to a public contact, a member can then attach it elsewhere", async () => {
      const [demo] = await f.demo();
      const adminFile = demo.files.admin[0];
      const before = await attach(demo.users.member.apiKey, 'contact', demo.contacts.company, { fileids: [adminFile] });
      expect(expectProblem(before, 404).missingFileIds).toEqual([adminFile]);

      const shared = await attach(demo.users.admin.apiKey, 'contact', demo.contacts.person, { fileids: [adminFile] });
      expect(shared.status).toBe(200);

      const after = await attach(demo.users.member.apiKey, 'contact', demo.contacts.company, {
        fileids: [adminFile, demo.files.member[0]],
      });
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
});
