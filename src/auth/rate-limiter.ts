import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** What the guard sends back: the budget of the key, and whether this request fits in it. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, in seconds since the epoch. */
  resetAt: number;
  /** Whole seconds until the window ends; at least 1. */
  retryAfterSeconds: number;
}

const WINDOW_SECONDS = 60;
/** A failing Redis is reported at most this often; the metric counts every request. */
const FAILURE_LOG_INTERVAL_MS = 30_000;
/** How long start-up waits for Redis before serving with limits open. */
const CONNECT_WAIT_MS = 2_000;

/**
 * RATE_LIMIT_PER_MINUTE requests per API key per minute, on rate-limiter-flexible: in this
 * process's memory, or in Redis when REDIS_URL is set, where every instance shares the same
 * counters. When Redis does not answer, the request is served unchecked (limits fail open):
 * a slow or missing cache must never turn into failed requests. Each such request counts in
 * crm_files_rate_limiter_redis_failures_total and the log says so.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly limit: number;
  private readonly limiter: RateLimiterAbstract | null;
  private readonly redis: Redis | null = null;
  private failuresSinceLog = 0;
  private lastFailureLogAt = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.limit = config.rateLimitPerMinute;
    if (this.limit === 0) {
      this.limiter = null;
    } else if (config.redisUrl) {
      this.redis = new Redis(config.redisUrl, {
        // Fail fast instead of queueing requests behind a Redis that is down or slow.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 2_000,
        commandTimeout: 500,
      });
      this.redis.on('error', (error: Error) => this.redisFailed(error));
      this.redis.on('ready', () => {
        if (this.lastFailureLogAt > 0) this.logger.log('Redis answers again: rate limits are shared again');
        this.lastFailureLogAt = 0;
      });
      this.limiter = new RateLimiterRedis({
        storeClient: this.redis,
        rejectIfRedisNotReady: true,
        keyPrefix: config.rateLimitKeyPrefix,
        points: this.limit,
        duration: WINDOW_SECONDS,
      });
    } else {
      this.limiter = new RateLimiterMemory({ keyPrefix: config.rateLimitKeyPrefix, points: this.limit, duration: WINDOW_SECONDS });
    }
  }

  /** Counts one request of the key; null when nothing was counted (limits off, or Redis failing). */
  async take(apiKeyId: number): Promise<RateLimitDecision | null> {
    if (!this.limiter) return null;
    try {
      return this.decision(await this.limiter.consume(String(apiKeyId)), true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        this.metrics.rateLimitRejections.inc();
        return this.decision(rejection, false);
      }
      this.metrics.rateLimiterFailures.inc();
      this.failuresSinceLog++;
      this.redisFailed(rejection);
      return null;
    }
  }

  /**
   * Waits (briefly) for the Redis connection, so that the first requests after start-up are
   * counted like the rest instead of finding a connection still being made and failing open.
   */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      redis.once('ready', done);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.redis?.disconnect();
  }

  private decision(result: RateLimiterRes, allowed: boolean): RateLimitDecision {
    const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, result.remainingPoints),
      resetAt: Math.ceil((Date.now() + result.msBeforeNext) / 1000),
      retryAfterSeconds,
    };
  }

  /** Called for a failed command and for the connection's own errors; says so once in a while. */
  private redisFailed(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLogAt < FAILURE_LOG_INTERVAL_MS) return;
    this.logger.warn(
      `Redis is not answering (${error instanceof Error ? error.message : String(error)}): rate limits are not enforced ` +
        `until it is back (${this.failuresSinceLog} request(s) served unchecked since the last report)`,
    );
    this.lastFailureLogAt = now;
    this.failuresSinceLog = 0;
  }
}
