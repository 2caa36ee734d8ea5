import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import { RateLimiter } from './rate-limiter.js';

const limiter = (rateLimitPerMinute: number) => new RateLimiter({ rateLimitPerMinute } as AppConfig);
const T0 = 1_800_000_000_000;

describe('RateLimiter (RATE_LIMIT_PER_MINUTE per API key; 0 turns limiting off)', () => {
  it('never limits when the limit is 0', () => {
    const rateLimiter = limiter(0);
    for (let i = 0; i < 10_000; i++) expect(rateLimiter.take(1, T0)).toEqual({ allowed: true });
  });

  it('allows N requests in a minute, then answers with the seconds left in the window', () => {
    const rateLimiter = limiter(3);
    expect(rateLimiter.take(1, T0)).toEqual({ allowed: true });
    expect(rateLimiter.take(1, T0 + 1_000)).toEqual({ allowed: true });
    expect(rateLimiter.take(1, T0 + 2_000)).toEqual({ allowed: true });
    expect(rateLimiter.take(1, T0 + 10_000)).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(rateLimiter.take(1, T0 + 10_001)).toEqual({ allowed: false, retryAfterSeconds: 50 });
  });

  it('answers at least 1 second even at the very end of the window', () => {
    const rateLimiter = limiter(1);
    rateLimiter.take(1, T0);
    const answer = rateLimiter.take(1, T0 + 59_999);
    expect(answer).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('rounds the wait up to whole seconds', () => {
    const rateLimiter = limiter(1);
    rateLimiter.take(1, T0);
    expect(rateLimiter.take(1, T0 + 500)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(rateLimiter.take(1, T0 + 1_500)).toEqual({ allowed: false, retryAfterSeconds: 59 });
  });

  it('starts a new window after 60 seconds', () => {
    const rateLimiter = limiter(2);
    rateLimiter.take(1, T0);
    rateLimiter.take(1, T0);
    expect(rateLimiter.take(1, T0 + 59_999).allowed).toBe(false);
    expect(rateLimiter.take(1, T0 + 60_000)).toEqual({ allowed: true });
    expect(rateLimiter.take(1, T0 + 60_001)).toEqual({ allowed: true });
    expect(rateLimiter.take(1, T0 + 60_002).allowed).toBe(false);
  });

  it('counts each API key on its own', () => {
    const rateLimiter = limiter(1);
    expect(rateLimiter.take(1, T0).allowed).toBe(true);
    expect(rateLimiter.take(1, T0).allowed).toBe(false);
    expect(rateLimiter.take(2, T0).allowed).toBe(true);
    expect(rateLimiter.take(2, T0).allowed).toBe(false);
  });

  it('keeps counting correctly when many keys are tracked', () => {
    const rateLimiter = limiter(1);
    for (let key = 1; key <= 10_050; key++) rateLimiter.take(key, T0);
    // Long after, every window has expired: each key gets a fresh one.
    for (let key = 1; key <= 10_050; key++) expect(rateLimiter.take(key, T0 + 120_000).allowed).toBe(true);
    expect(rateLimiter.take(7, T0 + 120_001).allowed).toBe(false);
  });
});
