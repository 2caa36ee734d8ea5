import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('attaches a file', async () => {
    const f = fixtures(t.app);
    const [demo] = await f.demo();
    const response = await t
      .http()
      .post(`/api/2.0/crm/contact/${demo.contacts.person}/files`)
      .set('Authorization', demo.users.admin.apiKey)
      .send({ fileids: [demo.files.admin[0]] });
    expect(response.status).toBe(200);
    expect(response.body.Files.map((file: { ID: number }) => file.ID)).toEqual(demo.files.admin);
  });

  it('counts statements', async () => {
    const f = fixtures(t.app);
    const [demo] = await f.demo();
    const { statements } = await t.queries.count(() =>
      t.http().post(`/api/2.0/crm/contact/${demo.contacts.person}/files`).set('Authorization', demo.users.member.apiKey).send({ fileids: demo.files.member }),
    );
    console.log(statements.length, statements.map((s) => s.slice(0, 80)));
  });
});
