import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShareType } from '../../src/records/entities/share-type.js';
import { expectProblem } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * Access lists belong to one record: a contact, an opportunity or a case. Contacts,
 * opportunities and cases are numbered separately, so the same number can name one of each;
 * being on the list of opportunity N says nothing about contact N or case N (see
 * docs/contract.md, "Access rules").
 */
describe('an access list opens only its own record, not another type with the same id', () => {
  const { t, f, attach, attached } = useTestApp();

  const tables = { contact: 'contacts', opportunity: 'opportunities', case: 'cases' } as const;
  type RecordType = keyof typeof tables;

  /**
   * Gives the records the same, otherwise unused id (their tables number independently, so
   * this is what a long-running database produces by itself), moving their access lists along.
   */
  const renumber = async (records: { type: RecordType; id: number }[]) => {
    const shared = 1_500_000_000 + randomInt(100_000_000);
    for (const { type, id } of records) {
      await t.dataSource.query(`UPDATE ${tables[type]} SET id = ? WHERE id = ?`, [shared, id]);
      await t.dataSource.query('UPDATE access_list_entries SET record_id = ? WHERE record_type = ? AND record_id = ?', [shared, type, id]);
    }
    return shared;
  };

  /** `listed` is on the list of `open`'s record; `other` holds the private record of type `closed`. */
  const scene = async (open: RecordType, closed: RecordType) => {
    const tenant = await f.tenant();
    const listed = await f.user(tenant.id, { name: 'Lou Listed' });
    const other = await f.user(tenant.id, { name: 'Otto Other' });
    const make = (type: RecordType, access: string[]) =>
      type === 'contact' ? f.contact(tenant.id, { share: ShareType.None, access }) : f.entity(type, tenant.id, other.id, { access });
    const openId = await make(open, [listed.id]);
    const closedId = await make(closed, [other.id]);
    const id = await renumber([
      { type: open, id: openId },
      { type: closed, id: closedId },
    ]);
    const otherFile = await f.file(other, 'closed.txt', 'closed');
    const eventId = await attached(other.apiKey, closed, id, [otherFile]);
    return { tenant, listed, other, id, otherFile, eventId };
  };

  it.each([
    { open: 'opportunity', closed: 'contact' },
    { open: 'contact', closed: 'opportunity' },
    { open: 'case', closed: 'opportunity' },
    { open: 'opportunity', closed: 'case' },
    { open: 'contact', closed: 'case' },
  ] as const)('given a user on $open N, private $closed N answers 404 on every route', async ({ open, closed }) => {
    const { listed, id, otherFile, eventId } = await scene(open, closed);
    const ownFile = await f.file(listed, 'own.txt', 'own');

    // The list works for its own record.
    expect((await t.http().get(`/api/2.0/crm/${open}/${id}/files`).set('Authorization', listed.apiKey)).status).toBe(200);
    expect((await attach(listed.apiKey, open, id, { fileids: [ownFile] })).status).toBe(200);

    expectProblem(await t.http().get(`/api/2.0/crm/${closed}/${id}/files`).set('Authorization', listed.apiKey), 404);
    expectProblem(await attach(listed.apiKey, closed, id, { fileids: [ownFile] }), 404);
    expectProblem(
      await t.http().get('/api/2.0/crm/history/filter').query({ entityType: closed, entityId: id }).set('Authorization', listed.apiKey),
      404,
    );
    expectProblem(await t.http().delete(`/api/2.0/crm/history/${eventId}`).set('Authorization', listed.apiKey), 404);
    // A file linked only to the closed record is not readable through the open one's list.
    expectProblem(await t.http().get(`/api/2.0/crm/files/${otherFile}/content`).set('Authorization', listed.apiKey), 404);
    expect(expectProblem(await attach(listed.apiKey, open, id, { fileids: [otherFile] }), 404).missingFileIds).toEqual([otherFile]);
    // And the history the user reads holds only the open record's event.
    const history = await t.http().get('/api/2.0/crm/history/filter').set('Authorization', listed.apiKey);
    expect(history.status).toBe(200);
    expect(history.body.map((event: { ID: number }) => event.ID)).not.toContain(eventId);
  });
});
