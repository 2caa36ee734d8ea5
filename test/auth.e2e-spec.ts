import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiKeysService } from '../src/auth/api-keys.service.js';
import { expectProblem } from './support/problem.js';
import { useTestApp } from './support/use-test-app.js';

/** API keys in the Authorization header, bare or as a Bearer token, and rate limiting. */

/** A key of the right shape that no user has. */
const unknownKey = () => randomBytes(32).toString('hex').toUpperCase().match(/.{8}/g)!.join('-');

describe('authentication with an API key', () => {
  const { t, f, rows } = useTestApp();

  /** A tenant where a valid request would succeed: only the Authorization header decides. */
  const scene = async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(user);
    const attach = (authorization?: string) => {
      const request = t.http().post(`/api/2.0/crm/contact/${contactId}/files`);
      if (authorization !== undefined) request.set('Authorization', authorization);
      return request.send({ fileids: [fileId] });
    };
    return { tenant, user, contactId, fileId, attach };
  };

  describe('a request without a valid key gets 401, always with the same body', () => {
    it('given no Authorization header, the answer is a 401 problem and nothing is written', async () => {
      const { tenant, attach } = await scene();

      const response = await rows.unchangedBy([tenant.id], () => attach());

      expectProblem(response, 401);
    });

    it('given missing, malformed, unknown and revoked keys, every answer is the identical 401 problem body', async () => {
      const { tenant, user, attach } = await scene();
      const revoked = await f.user(tenant.id);
      await t.app.get(ApiKeysService).revoke(revoked.apiKeyId);
      const authorizations: (string | undefined)[] = [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        'not-a-key',
        'Basic dXNlcjpwYXNzd29yZA==',
        `Token ${user.apiKey}`,
        `Bearer Bearer ${user.apiKey}`,
        `${user.apiKey}0`,
        user.apiKey.slice(0, -1),
        user.apiKey.replaceAll('-', ''),
        `${user.apiKey},${user.apiKey}`,
        unknownKey(),
        `Bearer ${unknownKey()}`,
        revoked.apiKey,
        `Bearer ${revoked.apiKey}`,
      ];

      const responses = await rows.unchangedBy([tenant.id], async () => {
        const answers = [];
        for (const authorization of authorizations) answers.push(await attach(authorization));
        return answers;
      });

      const first = expectProblem(responses[0], 401);
      for (const [index, response] of responses.entries()) {
        expect({ authorization: authorizations[index], status: response.status, body: response.body }).toStrictEqual({
          authorization: authorizations[index],
          status: 401,
          body: first,
        });
        expect(response.headers['content-type']).toBe(responses[0].headers['content-type']);
        expect(response.headers['www-authenticate']).toBe(responses[0].headers['www-authenticate']);
      }
    });

    it('given a revoked key, the body does not say that the key was revoked', async () => {
      const { user, attach } = await scene();
      await t.app.get(ApiKeysService).revoke(user.apiKeyId);

      const body = expectProblem(await attach(user.apiKey), 401);

      expect(JSON.stringify(body)).not.toMatch(/revoke/i);
    });
  });

  describe('a valid key', () => {
    it.each([
      { form: 'the bare key', header: (key: string) => key },
      { form: '"Bearer <key>"', header: (key: string) => `Bearer ${key}` },
      { form: '"bearer <key>" (lowercase scheme)', header: (key: string) => `bearer ${key}` },
      { form: '"BEARER <key>" (uppercase scheme)', header: (key: string) => `BEARER ${key}` },
    ])("given $form, the request is served as the key's user", async ({ header }) => {
      const { user, attach } = await scene();

      const response = await attach(header(user.apiKey));

      expect(response.status).toBe(200);
      expect(response.body.CreateBy.Id).toBe(user.id);
    });

    it("given a key, the request is confined to the key's tenant: another tenant's key cannot reach this record", async () => {
      const { tenant, attach } = await scene();
      const otherTenant = await f.tenant();
      const admin = await f.user(otherTenant.id, { admin: true });

      const response = await rows.unchangedBy([tenant.id, otherTenant.id], () => attach(admin.apiKey));

      expectProblem(response, 404);
    });

    it('given a key created while the app runs, it works on the very next request', async () => {
      const { user, attach } = await scene();
      const { apiKey } = await t.app.get(ApiKeysService).create(user.id, 'created later');

      const response = await attach(`Bearer ${apiKey}`);

      expect(response.status).toBe(200);
      expect(response.body.CreateBy.Id).toBe(user.id);
    });

    it("given a key revoked while the app runs, the very next request gets 401, while the user's other key still works", async () => {
      const { tenant, user, attach } = await scene();
      const second = await t.app.get(ApiKeysService).create(user.id, 'second');
      expect((await attach(user.apiKey)).status).toBe(200);

      await t.app.get(ApiKeysService).revoke(user.apiKeyId);

      const revoked = await rows.unchangedBy([tenant.id], () => attach(user.apiKey));
      expectProblem(revoked, 401);
      expect((await attach(second.apiKey)).status).toBe(200);
    });

    it('given a new key, it carries at least 128 random bits and is stored only as a hash', async () => {
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);

      expect(user.apiKey.replace(/[^0-9a-f]/gi, '').length * 4).toBeGreaterThanOrEqual(128);
      const [row]: Record<string, unknown>[] = await t.dataSource.query('SELECT * FROM api_keys WHERE id = ?', [user.apiKeyId]);
      expect(row).toBeDefined();
      const stored = JSON.stringify(Object.values(row)).toLowerCase();
      const key = user.apiKey.toLowerCase();
      expect(stored).not.toContain(key);
      expect(stored).not.toContain(key.replaceAll('-', ''));
      for (const group of key.split('-')) expect(stored).not.toContain(group);
    });
  });
});

describe('rate limiting per API key', () => {
  const { t, f, rows, attach: attachTo } = useTestApp({ rateLimitPerMinute: 2 });

  it('given RATE_LIMIT_PER_MINUTE 2, the third request of a key gets 429 with Retry-After and a problem body, and writes nothing', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(user);
    const attach = (apiKey: string) => attachTo(apiKey, 'contact', contactId, { fileids: [fileId] });

    expect((await attach(user.apiKey)).status).toBe(200);
    expect((await attach(user.apiKey)).status).toBe(200);
    const limited = await rows.unchangedBy([tenant.id], () => attach(user.apiKey));

    expectProblem(limited, 429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(await rows.counts(tenant.id)).toEqual({ events: 2, links: 2 });
  });

  it('given one key over its limit, another key (even of the same user) is still served', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const other = await t.app.get(ApiKeysService).create(user.id, 'other');
    const contactId = await f.contact(tenant.id);
    const fileId = await f.file(user);
    const attach = (apiKey: string) => attachTo(apiKey, 'contact', contactId, { fileids: [fileId] });
    for (let i = 0; i < 2; i++) expect((await attach(user.apiKey)).status).toBe(200);
    expectProblem(await attach(user.apiKey), 429);

    expect((await attach(other.apiKey)).status).toBe(200);
  });

  it('given an invalid key, the answer stays 401, not 429, however often it is sent', async () => {
    const key = unknownKey();
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (
          await t
            .http()
            .post('/api/2.0/crm/contact/1/files')
            .set('Authorization', key)
            .send({ fileids: [1] })
        ).status,
      );
    }

    expect(statuses).toEqual([401, 401, 401, 401]);
  });
});
