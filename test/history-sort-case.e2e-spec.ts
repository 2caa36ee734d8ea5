import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/use-test-app.js';

/**
 * GET /history/filter sorts text case-insensitively, the same on SQLite (which compares bytes:
 * Apple, Cherry, apple, banana) and on MySQL/MariaDB (whose collation ignores case).
 */
describe('History sorting by text, whatever the letter case', () => {
  const { t, f } = useTestApp();

  const list = async (apiKey: string, query: Record<string, string>) => {
    const response = await t.http().get('/api/2.0/crm/history/filter').query(query).set('Authorization', apiKey);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return (response.body as { ID: number }[]).map((event) => event.ID);
  };

  /** Posts an event on the contact and answers its id. */
  const post = async (apiKey: string, contactId: number, content: string) => {
    const response = await t.http().post('/api/2.0/crm/history').set('Authorization', apiKey).send({ contactId, categoryId: -1, content });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.ID as number;
  };

  it('given contents Apple, banana, Cherry and apple, sortBy=content orders them apple/Apple, banana, Cherry (ties by id descending)', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const Apple = await post(user.apiKey, contactId, 'Apple');
    const banana = await post(user.apiKey, contactId, 'banana');
    const Cherry = await post(user.apiKey, contactId, 'Cherry');
    const apple = await post(user.apiKey, contactId, 'apple');

    expect(await list(user.apiKey, { sortBy: 'content' })).toEqual([apple, Apple, banana, Cherry]);
    expect(await list(user.apiKey, { sortBy: 'content', sortOrder: 'descending' })).toEqual([Cherry, banana, apple, Apple]);
  });

  it("given creators named Zoe and amy, sortBy=createBy puts amy's event first", async () => {
    const tenant = await f.tenant();
    const zoe = await f.user(tenant.id, { name: 'Zoe Zimmer' });
    const amy = await f.user(tenant.id, { name: 'amy adams' });
    const contactId = await f.contact(tenant.id);
    const byZoe = await post(zoe.apiKey, contactId, 'first');
    const byAmy = await post(amy.apiKey, contactId, 'second');

    expect(await list(amy.apiKey, { sortBy: 'createBy' })).toEqual([byAmy, byZoe]);
    expect(await list(amy.apiKey, { sortBy: 'createBy', sortOrder: 'descending' })).toEqual([byZoe, byAmy]);
  });
});
