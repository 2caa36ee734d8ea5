import { describe, expect, it } from 'vitest';
import { expectProblem } from '../support/problem.js';
import { useTestApp } from '../support/use-test-app.js';

/** GET /api/2.0/crm/history/category: the categories of the caller tenant. */

describe('GET /history/category', () => {
  const { t, f } = useTestApp();

  const list = (apiKey: string) => t.http().get('/api/2.0/crm/history/category').set('Authorization', apiKey);

  it('given a new tenant, the answer is Note, Email, Call and Meeting with PascalCase keys, and no system category', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);

    const response = await list(user.apiKey);

    expect(response.status).toBe(200);
    expect(response.body).toStrictEqual(
      ['Note', 'Email', 'Call', 'Meeting'].map((Title, SortOrder) => ({
        ID: expect.any(Number),
        Title,
        Description: null,
        Color: null,
        ImagePath: null,
        SortOrder,
      })),
    );
    const ids = response.body.map((category: { ID: number }) => category.ID);
    expect(ids.every((id: number) => id > 0)).toBe(true);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it("given categories with equal SortOrder, they are ordered by SortOrder then ID, and another tenant's are not listed", async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const other = await f.tenant();
    const insert = (tenantId: number, title: string, sortOrder: number) =>
      t.dataSource.query(
        'INSERT INTO history_categories (tenant_id, title, description, color, image_path, sort_order) VALUES (?, ?, ?, ?, ?, ?)',
        [tenantId, title, `${title} things`, '#ff0000', null, sortOrder],
      );
    await insert(tenant.id, 'Zeta', 1);
    await insert(tenant.id, 'Alpha', -1);
    await insert(other.id, 'Foreign', 0);

    const response = await list(user.apiKey);

    expect(response.status).toBe(200);
    expect(response.body.map((category: { Title: string; SortOrder: number }) => [category.Title, category.SortOrder])).toEqual([
      ['Alpha', -1],
      ['Note', 0],
      ['Email', 1],
      ['Zeta', 1],
      ['Call', 2],
      ['Meeting', 3],
    ]);
    expect(response.body[3]).toStrictEqual({
      ID: expect.any(Number),
      Title: 'Zeta',
      Description: 'Zeta things',
      Color: '#ff0000',
      ImagePath: null,
      SortOrder: 1,
    });
  });

  it('given no API key, the answer is 401', async () => {
    expectProblem(await t.http().get('/api/2.0/crm/history/category'), 401);
  });
});
