import type { Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { NO_SUCH_ID } from '../support/constants.js';
import { expectProblem } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * Authentication is the first check of every /api route: without a valid key the answer is 401,
 * before the route's form (400), the records it names (404) or anything else is looked at, so a
 * caller without a key learns nothing about what exists (see docs/contract.md, "Check order").
 */
describe('401 comes before every other answer', () => {
  const { t, f, rows, files } = useTestApp();

  const UNKNOWN_KEY = 'ABCDEF01-ABCDEF01-ABCDEF01-ABCDEF01-ABCDEF01-ABCDEF01-ABCDEF01-ABCDEF01';

  /** A tenant with a readable contact, a file of the caller, and a key of that caller that is revoked. */
  const scene = async () => {
    const tenant = await f.tenant();
    const caller = await f.user(tenant.id);
    const revoked = await f.user(tenant.id);
    await t.app.get(ApiKeysService).revoke(revoked.apiKeyId);
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(caller);
    return { tenant, caller, revokedKey: revoked.apiKey, contactId, fileId };
  };

  /** Every route that names a record, on the given type and id, with a body a valid caller could send. */
  const requests = (type: string, id: number, fileId: number) => [
    {
      name: `POST /${type}/${id}/files`,
      send: (key?: string) => withKey(t.http().post(`/api/2.0/crm/${type}/${id}/files`), key).send({ fileids: [fileId] }),
    },
    { name: `GET /${type}/${id}/files`, send: (key?: string) => withKey(t.http().get(`/api/2.0/crm/${type}/${id}/files`), key) },
    {
      name: `POST /${type}/${id}/files/upload`,
      send: (key?: string) =>
        withKey(t.http().post(`/api/2.0/crm/${type}/${id}/files/upload`), key)
          .set('Content-Type', 'text/plain')
          .set('Content-Disposition', 'attachment; filename="a.txt"')
          .send('hello'),
    },
    {
      name: `POST /${type}/${id}/files/text`,
      send: (key?: string) => withKey(t.http().post(`/api/2.0/crm/${type}/${id}/files/text`), key).send({ title: 'a', content: 'b' }),
    },
    {
      name: `GET /history/filter?entityType=${type}&entityId=${id}`,
      send: (key?: string) => withKey(t.http().get('/api/2.0/crm/history/filter').query({ entityType: type, entityId: id }), key),
    },
  ];

  const withKey = <R extends { set(name: string, value: string): R }>(request: R, key?: string) =>
    key === undefined ? request : request.set('Authorization', key);

  /** Sends and checks 401 with the one body every 401 has, and that nothing was written. */
  const expect401 = async (tenantId: number, send: () => PromiseLike<Response>) => {
    const filesBefore = await files.ofTenant(tenantId);
    const response = await rows.unchangedBy([tenantId], send);
    const body = expectProblem(response, 401);
    expect(await files.ofTenant(tenantId)).toEqual(filesBefore);
    return body;
  };

  it('given an unknown key, every route on a missing record answers 401 with the same body, not 404', async () => {
    const { tenant, fileId } = await scene();
    const bodies = [];
    for (const request of requests('contact', NO_SUCH_ID, fileId)) {
      bodies.push(await expect401(tenant.id, () => request.send(UNKNOWN_KEY)));
    }
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
  });

  it('given a revoked key, every route on a missing opportunity answers 401, not 404', async () => {
    const { tenant, revokedKey, fileId } = await scene();
    for (const request of requests('opportunity', NO_SUCH_ID, fileId)) {
      await expect401(tenant.id, () => request.send(revokedKey));
    }
  });

  it.each([
    { name: 'an unknown key', key: () => UNKNOWN_KEY },
    { name: 'a revoked key', key: (revoked: string) => revoked },
    { name: 'no key', key: () => undefined },
  ])('given $name, every route on an invalid entity type answers 401, not 400', async ({ key }) => {
    const { tenant, revokedKey, fileId } = await scene();
    for (const request of requests('lead', 1, fileId)) {
      await expect401(tenant.id, () => request.send(key(revokedKey)));
    }
  });

  it('given a revoked key, the missing file and event routes answer 401, not 404', async () => {
    const { tenant, revokedKey } = await scene();
    await expect401(tenant.id, () => t.http().get(`/api/2.0/crm/files/${NO_SUCH_ID}/content`).set('Authorization', revokedKey));
    await expect401(tenant.id, () => t.http().delete(`/api/2.0/crm/files/${NO_SUCH_ID}`).set('Authorization', revokedKey));
    await expect401(tenant.id, () => t.http().delete(`/api/2.0/crm/history/${NO_SUCH_ID}`).set('Authorization', revokedKey));
  });

  it('given no key, every route on an existing readable record answers 401 and writes nothing', async () => {
    const { tenant, caller, contactId, fileId } = await scene();
    for (const request of requests('contact', contactId, fileId)) {
      await expect401(tenant.id, () => request.send());
    }
    // The same requests with the caller's key are accepted: only the key was missing.
    for (const request of requests('contact', contactId, fileId)) {
      expect((await request.send(caller.apiKey)).status, request.name).toBe(200);
    }
  });

  it('given an unknown key on an existing file and event, the answer is 401 and nothing is deleted', async () => {
    const { tenant, caller, contactId, fileId } = await scene();
    const attached = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files`)
      .set('Authorization', caller.apiKey)
      .send({ fileids: [fileId] });
    expect(attached.status).toBe(200);

    await expect401(tenant.id, () => t.http().delete(`/api/2.0/crm/history/${attached.body.ID}`).set('Authorization', UNKNOWN_KEY));
    await expect401(tenant.id, () => t.http().delete(`/api/2.0/crm/files/${fileId}`).set('Authorization', UNKNOWN_KEY));
    await expect401(tenant.id, () => t.http().get(`/api/2.0/crm/files/${fileId}/content`).set('Authorization', UNKNOWN_KEY));
  });
});
