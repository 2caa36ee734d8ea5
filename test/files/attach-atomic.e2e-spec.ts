import { describe, expect, it } from 'vitest';
import { NO_SUCH_ID } from '../support/constants.js';
import { withInsertsRefused } from '../support/db-faults.js';
import { expectNoInternals, expectProblem } from '../support/problem.js';
import { contactScene, nothingKeptBy, postText, twoTextParts, uploadMultipart } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * A history event and its file links are written in one transaction: a failed attach leaves
 * no event and no link behind, whatever step failed (see docs/contract.md, "History events").
 */
describe('a failed attach leaves no event and no link', () => {
  const { t, f, rows, attach, attached } = useTestApp();

  const withLinksRefused = <T>(tenantId: number, work: () => PromiseLike<T>) =>
    withInsertsRefused(t.dataSource, 'event_files', tenantId, work);

  const scene = async () => {
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const fileIds = await f.files(caller, 3);
    return { tenant, caller, contactId, fileIds };
  };

  it('given a missing file among readable ones, the answer is 404 with missingFileIds, and the tenant has no event and no link', async () => {
    const { tenant, caller, contactId, fileIds } = await scene();

    const response = await attach(caller.apiKey, 'contact', contactId, { fileids: [fileIds[0], NO_SUCH_ID, fileIds[1]] });

    expect(expectProblem(response, 404).missingFileIds).toEqual([NO_SUCH_ID]);
    expect(await rows.counts(tenant.id)).toEqual({ events: 0, links: 0 });
  });

  it('given the database refuses the links, the answer is 500 and the event written before them is gone too', async () => {
    const { tenant, caller, contactId, fileIds } = await scene();

    const response = await withLinksRefused(tenant.id, () => attach(caller.apiKey, 'contact', contactId, { fileids: fileIds }));

    expectProblem(response, 500);
    expectNoInternals(response);
    expect(await rows.counts(tenant.id)).toEqual({ events: 0, links: 0 });
    // The same attach succeeds once the links are accepted again: the failure was the links alone.
    const eventId = await attached(caller.apiKey, 'contact', contactId, fileIds);
    expect(await rows.links(tenant.id)).toEqual(fileIds.map((fileId, position) => ({ eventId, fileId, position })));
    expect((await rows.events(tenant.id)).map((event) => event.id)).toEqual([eventId]);
  });

  it('given the database refuses the links of an opportunity, the answer is 500 and no event is left on it', async () => {
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const opportunityId = await f.entity('opportunity', tenant.id, caller.id, { access: [caller.id] });
    const fileIds = await f.files(caller, 2);

    const response = await withLinksRefused(tenant.id, () => attach(caller.apiKey, 'opportunity', opportunityId, { fileids: fileIds }));

    expectProblem(response, 500);
    expect(await rows.counts(tenant.id)).toEqual({ events: 0, links: 0 });
  });

  it('given an upload with attach=true whose links are refused, the answer is 500 and no file row, content, event or link is kept', async () => {
    const { tenant, caller, path } = await contactScene(t);

    const response = await nothingKeptBy(t, tenant.id, () =>
      withLinksRefused(tenant.id, () => uploadMultipart(t, caller.apiKey, path('?attach=true'), twoTextParts)),
    );

    expectProblem(response, 500);
  });

  it('given a text file whose link is refused, the answer is 500 and no file row, content, event or link is kept', async () => {
    const { tenant, caller, contactId } = await contactScene(t);

    const response = await nothingKeptBy(t, tenant.id, () =>
      withLinksRefused(tenant.id, () => postText(t, caller.apiKey, 'contact', contactId, { title: 'minutes', content: 'kept nowhere' })),
    );

    expectProblem(response, 500);
  });
});
