import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShareType } from '../entities/share-type.js';
import {
  canEditFile,
  contactPermissions,
  entityPermissions,
  eventPermissions,
  readableEventSql,
  readableFileSql,
  type Caller,
  type RecordPermissions,
} from './access-policy.js';

const ME = 'a1111111-1111-4111-8111-11111111111a';
const OTHER = 'b2222222-2222-4222-8222-22222222222b';
const THIRD = 'c3333333-3333-4333-8333-33333333333c';

const user: Caller = { userId: ME, isAdmin: false };
const admin: Caller = { userId: ME, isAdmin: true };

const both = (canRead: boolean, canEdit: boolean): RecordPermissions => ({ canRead, canEdit });

describe('contactPermissions (Access rules: read = ShareType Read/ReadWrite or listed; edit = ReadWrite or listed)', () => {
  it.each([
    ['None, not listed', ShareType.None, [], both(false, false)],
    ['None, list of others', ShareType.None, [OTHER], both(false, false)],
    ['None, listed', ShareType.None, [OTHER, ME], both(true, true)],
    ['ReadWrite, not listed', ShareType.ReadWrite, [], both(true, true)],
    ['ReadWrite, listed', ShareType.ReadWrite, [ME], both(true, true)],
    ['Read, not listed', ShareType.Read, [], both(true, false)],
    ['Read, list of others', ShareType.Read, [OTHER], both(true, false)],
    ['Read, listed', ShareType.Read, [ME], both(true, true)],
  ] as const)('a user, %s', (_name, shareType, accessList, expected) => {
    expect(contactPermissions(user, { shareType, accessList })).toEqual(expected);
  });

  it.each([ShareType.None, ShareType.Read, ShareType.ReadWrite])('an admin passes ShareType %i without being listed', (shareType) => {
    expect(contactPermissions(admin, { shareType, accessList: [OTHER] })).toEqual(both(true, true));
  });

  it('compares user ids exactly', () => {
    expect(contactPermissions(user, { shareType: ShareType.None, accessList: [ME.toUpperCase()] })).toEqual(both(false, false));
  });
});

describe('entityPermissions (Access rules: read = no list or listed; edit = creator, no list or listed)', () => {
  it.each([
    ['no list, created by another', OTHER, [], both(true, true)],
    ['no list, created by the caller', ME, [], both(true, true)],
    ['listed, created by another', OTHER, [OTHER, ME], both(true, true)],
    ['not listed, created by another', OTHER, [OTHER], both(false, false)],
    // Taken literally, the table lets a creator who is not on a non-empty list edit but not read.
    ['not listed, created by the caller', ME, [OTHER], both(false, true)],
    ['listed and creator', ME, [ME], both(true, true)],
  ] as const)('a user, %s', (_name, createdBy, accessList, expected) => {
    expect(entityPermissions(user, { createdBy, accessList })).toEqual(expected);
  });

  it('an admin passes a private record created by someone else', () => {
    expect(entityPermissions(admin, { createdBy: OTHER, accessList: [THIRD] })).toEqual(both(true, true));
  });
});

describe('eventPermissions (Access rules: read = read of the record; edit = edit of it, or read of it and creator)', () => {
  it.each([
    ['record readable and editable, event of another', both(true, true), OTHER, both(true, true)],
    ['record readable only, event of another', both(true, false), OTHER, both(true, false)],
    ['record readable only, event of the caller', both(true, false), ME, both(true, true)],
    ['record unreadable, event of the caller', both(false, false), ME, both(false, false)],
    ['record unreadable but editable (creator off the list), event of another', both(false, true), OTHER, both(false, true)],
    ['record unreadable, event of another', both(false, false), OTHER, both(false, false)],
  ] as const)('a user, %s', (_name, record, createdBy, expected) => {
    expect(eventPermissions(user, { createdBy }, record)).toEqual(expected);
  });

  it('an admin passes whatever the record allows', () => {
    expect(eventPermissions(admin, { createdBy: OTHER }, both(false, false))).toEqual(both(true, true));
  });
});

describe('canEditFile (Access rules: edit = creator or last updater; reading is readableFileSql, below)', () => {
  it.each([
    ['creator', { createdBy: ME, updatedBy: OTHER }, true],
    ['last updater', { createdBy: OTHER, updatedBy: ME }, true],
    ['neither', { createdBy: OTHER, updatedBy: THIRD }, false],
  ] as const)('a user who is %s', (_name, file, canEdit) => {
    expect(canEditFile(user, file)).toBe(canEdit);
  });

  it('an admin edits any file of the tenant', () => {
    const file = { createdBy: OTHER, updatedBy: OTHER };
    expect(canEditFile(admin, file)).toBe(true);
  });
});

describe('SQL predicates', () => {
  const hostileId = "x' OR '1'='1";

  it.each([
    ['readableEventSql', readableEventSql],
    ['readableFileSql', readableFileSql],
  ] as const)('%s is "1 = 1" without parameters for an admin', (_name, predicate) => {
    expect(predicate(admin, 'a')).toEqual({ sql: '1 = 1', params: {} });
  });

  it.each([
    ['readableEventSql', readableEventSql],
    ['readableFileSql', readableFileSql],
  ] as const)('%s binds the caller id as a parameter and never writes it into the SQL', (_name, predicate) => {
    const { sql, params } = predicate({ userId: hostileId, isAdmin: false }, 'a');
    expect(sql).not.toContain(hostileId);
    expect(sql).not.toContain("'1'='1");
    expect(Object.values(params)).toEqual([hostileId]);
    const [name] = Object.keys(params);
    expect(sql).toContain(`:${name}`);
  });

  it('uses the alias it is given', () => {
    expect(readableEventSql(user, 'ev1').sql).toContain('ev1.contact_id');
    expect(readableFileSql(user, 'f1').sql).toContain('f1.created_by');
  });

  /**
   * The predicates run against a minimal copy of the tables they read, so that their answers can
   * be compared with the function versions of the same rules.
   */
  describe('agree with the rules when run', () => {
    let db: Database.Database;

    beforeAll(() => {
      db = new Database(':memory:');
      db.exec(`
        CREATE TABLE contacts (id INTEGER PRIMARY KEY, share_type INTEGER NOT NULL);
        CREATE TABLE access_list_entries (record_type TEXT, record_id INTEGER, user_id TEXT, PRIMARY KEY (record_type, record_id, user_id));
        CREATE TABLE history_events (id INTEGER PRIMARY KEY, contact_id INTEGER, entity_type TEXT, entity_id INTEGER);
        CREATE TABLE files (id INTEGER PRIMARY KEY, created_by TEXT NOT NULL, updated_by TEXT NOT NULL);
        CREATE TABLE event_files (event_id INTEGER, file_id INTEGER);
      `);
      const contact = db.prepare('INSERT INTO contacts (id, share_type) VALUES (?, ?)');
      const listed = db.prepare('INSERT INTO access_list_entries (record_type, record_id, user_id) VALUES (?, ?, ?)');
      const event = db.prepare('INSERT INTO history_events (id, contact_id, entity_type, entity_id) VALUES (?, ?, ?, ?)');
      const file = db.prepare('INSERT INTO files (id, created_by, updated_by) VALUES (?, ?, ?)');
      const link = db.prepare('INSERT INTO event_files (event_id, file_id) VALUES (?, ?)');

      // Contacts 1-3 by ShareType; 4 private with ME listed; 5 private with OTHER listed.
      contact.run(1, ShareType.ReadWrite);
      contact.run(2, ShareType.Read);
      contact.run(3, ShareType.None);
      contact.run(4, ShareType.None);
      contact.run(5, ShareType.None);
      listed.run('contact', 4, ME);
      listed.run('contact', 5, OTHER);
      // Opportunity 10 open; 11 private with ME listed; 12 private with OTHER listed. Case 11 open
      // (same id as the private opportunity: the record type must be part of the check).
      listed.run('opportunity', 11, ME);
      listed.run('opportunity', 12, OTHER);
      for (const [id, contactId] of [
        [101, 1],
        [102, 2],
        [103, 3],
        [104, 4],
        [105, 5],
      ]) {
        event.run(id, contactId, null, null);
      }
      event.run(110, null, 'opportunity', 10);
      event.run(111, null, 'opportunity', 11);
      event.run(112, null, 'opportunity', 12);
      event.run(121, null, 'case', 12);

      // Files of OTHER: 201 on a readable event, 202 only on an unreadable one, 203 on both,
      // 204 on nothing. 205 created by ME, 206 last updated by ME, both unlinked.
      file.run(201, OTHER, OTHER);
      file.run(202, OTHER, OTHER);
      file.run(203, OTHER, OTHER);
      file.run(204, OTHER, OTHER);
      file.run(205, ME, OTHER);
      file.run(206, OTHER, ME);
      link.run(101, 201);
      link.run(105, 202);
      link.run(112, 203);
      link.run(110, 203);
    });

    afterAll(() => db.close());

    const ids = (table: string, alias: string, predicate: { sql: string; params: Record<string, unknown> }): number[] => {
      const statement = db.prepare(`SELECT ${alias}.id AS id FROM ${table} ${alias} WHERE ${predicate.sql} ORDER BY ${alias}.id`);
      const rows = (Object.keys(predicate.params).length > 0 ? statement.all(predicate.params) : statement.all()) as { id: number }[];
      return rows.map((row) => row.id);
    };

    it('readableEventSql: events of readable contacts, open entities and entities the caller is listed on', () => {
      expect(ids('history_events', 'event', readableEventSql(user, 'event'))).toEqual([101, 102, 104, 110, 111, 121]);
    });

    it('readableEventSql: an admin reads every event', () => {
      expect(ids('history_events', 'event', readableEventSql(admin, 'event'))).toEqual([101, 102, 103, 104, 105, 110, 111, 112, 121]);
    });

    it('readableFileSql: own files and files linked to a readable event', () => {
      expect(ids('files', 'file', readableFileSql(user, 'file'))).toEqual([201, 203, 205, 206]);
    });

    it('readableFileSql: a user who owns nothing and is on no list reads only files of readable events', () => {
      expect(ids('files', 'file', readableFileSql({ userId: THIRD, isAdmin: false }, 'file'))).toEqual([201, 203]);
    });

    it('readableFileSql: an admin reads every file', () => {
      expect(ids('files', 'file', readableFileSql(admin, 'file'))).toEqual([201, 202, 203, 204, 205, 206]);
    });
  });
});
