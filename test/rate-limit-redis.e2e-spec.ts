import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../src/config/database-url.js';
import { fixtures } from './support/fixtures.js';
import { LogLines } from './support/log-lines.js';
import { expectProblem } from './support/problem.js';
import { parsePrometheusText, sampleValue } from './support/prometheus-text.js';
import { databaseKind, startTestApp, testDatabaseConfig, type TestApp } from './support/test-app.js';

/** .ci/run sets TEST_REDIS_URL and starts Redis: there it must answer. Elsewhere, no Redis skips these tests. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisAnswers = await (async () => {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
})();
if (!redisAnswers && process.env.TEST_REDIS_URL) throw new Error(`TEST_REDIS_URL=${REDIS_URL} does not answer`);

/** Every run counts under its own keys, so that runs sharing one Redis never meet. */
const runPrefix = () => `crm-files-test:${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe.skipIf(!redisAnswers)('rate limits in Redis (REDIS_URL)', () => {
  describe('two instances on one database and one Redis', () => {
    let a: TestApp;
    let b: TestApp;
    let folder: string | undefined;

    beforeAll(async () => {
      // Both instances must see the same API keys: one SQLite file, or the run's MySQL database.
      let database: DatabaseConfig = testDatabaseConfig();
      if (databaseKind() === 'sqlite') {
        folder = await mkdtemp(join(tmpdir(), 'crm-files-shared-db-'));
        database = { kind: 'sqlite', path: join(folder, 'shared.sqlite') };
      }
      const settings = { database, redisUrl: REDIS_URL, rateLimitPerMinute: 4, rateLimitKeyPrefix: runPrefix() };
      a = await startTestApp(settings);
      b = await startTestApp(settings);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    it('share one budget per API key: the fifth request of a minute is refused, whichever instance gets it', async () => {
      const f = fixtures(a.app);
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);
      const other = await f.user(tenant.id);
      const get = (app: TestApp, apiKey: string) => app.http().get('/api/2.0/crm/files/root').set('Authorization', apiKey);
      const startedAt = Math.floor(Date.now() / 1000);

      const answers = [];
      for (const app of [a, b, a, b, a, b]) answers.push(await get(app, user.apiKey));

      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 429, 429]);
      expect(answers.map((answer) => answer.headers['x-ratelimit-remaining'])).toEqual(['3', '2', '1', '0', '0', '0']);
      for (const answer of answers) {
        expect(answer.headers['x-ratelimit-limit']).toBe('4');
        const reset = Number(answer.headers['x-ratelimit-reset']);
        expect(reset).toBeGreaterThanOrEqual(startedAt + 58);
        expect(reset).toBeLessThanOrEqual(startedAt + 62);
      }
      const refused = answers[5];
      expectProblem(refused, 429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      // Another key of the same user has a budget of its own.
      expect((await get(b, other.apiKey)).status).toBe(200);
    });
  });

  describe('when Redis does not answer', () => {
    let t: TestApp;
    let logs: LogLines;

    beforeAll(async () => {
      logs = new LogLines();
      // Nothing listens on port 1: every Redis command fails at once.
      t = await startTestApp(
        { redisUrl: 'redis://127.0.0.1:1', rateLimitPerMinute: 2, rateLimitKeyPrefix: runPrefix() },
        { logDestination: logs },
      );
    });
    afterAll(() => t?.close());

    it('serves every request unlimited (fail open), says so in the log at warn, and counts each in the metrics', async () => {
      const f = fixtures(t.app);
      const tenant = await f.tenant();
      const user = await f.user(tenant.id);

      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const response = await t.http().get('/api/2.0/crm/files/root').set('Authorization', user.apiKey);
        statuses.push(response.status);
        expect(response.headers['x-ratelimit-limit']).toBeUndefined();
      }

      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const metrics = parsePrometheusText((await t.http().get('/metrics')).text);
      expect(sampleValue(metrics, 'crm_files_rate_limiter_redis_failures_total')).toBe(5);
      expect(sampleValue(metrics, 'crm_files_rate_limit_rejections_total')).toBe(0);
      const warnings = logs.lines().filter((line) => line.level === 'warn' && line.context === 'RateLimiter');
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      expect(warnings[0].msg).toMatch(/Redis is not answering.*not enforced/);
      expect(logs.lines().filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    });
  });
});
