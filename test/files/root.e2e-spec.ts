import { describe, expect, it } from 'vitest';
import { expectProblem } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/** GET /api/2.0/crm/files/root: the root folder of the caller tenant. */

describe('GET /files/root', () => {
  const { t, f } = useTestApp();

  it("given a caller, the answer is a bare JSON integer: the tenant's root folder id", async () => {
    const [demo, other] = await f.demo();

    const response = await t.http().get('/api/2.0/crm/files/root').set('Authorization', demo.users.outsider.apiKey);
    const otherResponse = await t.http().get('/api/2.0/crm/files/root').set('Authorization', other.users.member.apiKey);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json\b/);
    expect(response.text).toBe(String(demo.rootFolderId));
    expect(JSON.parse(response.text)).toBe(demo.rootFolderId);
    expect(otherResponse.text).toBe(String(other.rootFolderId));
    expect(other.rootFolderId).not.toBe(demo.rootFolderId);
  });

  it('given an uploaded file, its FolderId is the root folder id', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const root = await t.http().get('/api/2.0/crm/files/root').set('Authorization', user.apiKey);

    const text = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files/text`)
      .set('Authorization', user.apiKey)
      .send({ title: 'T', content: 'x' });

    expect(JSON.parse(root.text)).toBe(tenant.rootFolderId);
    expect(text.body.FolderId).toBe(JSON.parse(root.text));
  });

  it('given no API key, the answer is 401', async () => {
    expectProblem(await t.http().get('/api/2.0/crm/files/root'), 401);
  });
});
