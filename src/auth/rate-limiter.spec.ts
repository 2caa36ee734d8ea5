import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { loadAppConfig } from '../config/app-config.js';
import { DatabasePool } from '../database/database-pool.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RateLimiter } from './rate-limiter.js';

/** In memory (no REDIS_URL): the per-process limiter, with a fresh registry to count into. */
function limiter(rateLimitPerMinute: number) {
  const metrics = new MetricsService(new DatabasePool({ isInitialized: false, options: {} } as DataSource, {} as never));
  return { metrics, rateLimiter: new RateLimiter({ ...loadAppConfig({}), rateLimitPerMinute }, metrics) };
}

describe('RateLimiter in memory (RATE_LIMIT_PER_MINUTE per API key; 0 turns limiting off)', () => {
  it('counts nothing when the limit is 0', async () => {
    const { rateLimiter } = limiter(0);
    for (let i = 0; i < 1_000; i++) expect(await rateLimiter.take(1)).toBeNull();
  });

  it('allows N requests in a minute with the budget left, then refuses with the seconds to wait', async () => {
    const { rateLimiter, metrics } = limiter(3);
    const before = Math.floor(Date.now() / 1000);
    const first = await rateLimiter.take(1);
    expect(first).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
    expect(first!.resetAt).toBeGreaterThanOrEqual(before + 59);
    expect(first!.resetAt).toBeLessThanOrEqual(before + 61);
    expect(await rateLimiter.take(1)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await rateLimiter.take(1)).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await rateLimiter.take(1);
    expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
    expect(refused!.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(refused!.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await metrics.rateLimitRejections.get()).values[0].value).toBe(1);
  });

  it('counts each API key on its own', async () => {
    const { rateLimiter } = limiter(1);
    expect((await rateLimiter.take(1))!.allowed).toBe(true);
    expect((await rateLimiter.take(1))!.allowed).toBe(false);
    expect((await rateLimiter.take(2))!.allowed).toBe(true);
    expect((await rateLimiter.take(2))!.allowed).toBe(false);
  });
});
