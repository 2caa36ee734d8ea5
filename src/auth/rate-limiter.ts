import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

interface Window {
  startedAt: number;
  count: number;
}

/**
 * A fixed one-minute window per API key, kept in memory: enough for one process, and it needs
 * nothing running beside the service. Returns the seconds to wait when over the limit.
 */
@Injectable()
export class RateLimiter {
  private readonly windows = new Map<number, Window>();
  private readonly limit: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.rateLimitPerMinute;
  }

  take(apiKeyId: number, now = Date.now()): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (this.limit === 0) return { allowed: true };
    let window = this.windows.get(apiKeyId);
    if (!window || now - window.startedAt >= 60_000) {
      if (this.windows.size > 10_000) this.forgetExpired(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(apiKeyId, window);
    }
    window.count++;
    if (window.count <= this.limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + 60_000 - now) / 1000)) };
  }

  private forgetExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= 60_000) this.windows.delete(key);
    }
  }
}
