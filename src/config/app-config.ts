import { ConfigError } from './config-error.js';
import { boolean, integer, nonEmpty, urlOf, type Env } from './env-readers.js';
import { parseDatabaseUrl, type DatabaseConfig } from './database-url.js';
import { loadStorageConfig, type StorageConfig } from './storage-config.js';
import { loadWebhookConfig, type WebhookConfig } from './webhook-config.js';

export interface AppConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** True when DATABASE_URL was not given and the embedded default is in use. */
  databaseIsDefault: boolean;
  filesDir: string;
  maxUploadBytes: number;
  maxFileIds: number;
  maxJsonBytes: number;
  rateLimitPerMinute: number;
  demoSeed: boolean;
  publicBaseUrl: string | null;
  logLevel: LogLevel;
  /** When set, rate-limit counters live in this Redis and are shared by every instance. */
  redisUrl: string | null;
  /** Origins allowed by CORS; empty: no cross-origin access. */
  corsOrigins: string[];
  /** Not from the environment: where rate-limit counters live (tests give each run its own). */
  rateLimitKeyPrefix: string;
  /** On SIGTERM/SIGINT: how long requests in flight may take before they are aborted. */
  shutdownGraceMs: number;
  /** Staged or partial contents, and contents without a file row, are removed once older than this. */
  stagingMaxAgeMs: number;
  /**
   * TEST ONLY (CRM_FILES_TEST_EXIT_AT): the name of a point in the code where the process exits
   * at once, as a crash would (see src/lifecycle/test-exit-point.ts). Unset in production.
   */
  testExitAt: string | null;
  /** Where file contents live: under FILES_DIR, or in an S3-compatible bucket. */
  storage: StorageConfig;
  webhooks: WebhookConfig;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const APP_CONFIG = Symbol('APP_CONFIG');

export const DEFAULT_DATABASE_URL = 'sqlite:data/crm-files.sqlite';

/**
 * Reads and validates the whole configuration once, at start-up. Nothing else in
 * the service reads process.env, so a bad value stops the process before it serves.
 */
export function loadAppConfig(env: Env = process.env): AppConfig {
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env.HOST) ?? '0.0.0.0',
    database: parseDatabaseUrl(databaseUrl ?? DEFAULT_DATABASE_URL, 'DATABASE_URL'),
    databaseIsDefault: databaseUrl === undefined,
    filesDir: nonEmpty(env.FILES_DIR) ?? 'data/files',
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 104_857_600, 0, Number.MAX_SAFE_INTEGER),
    maxFileIds: integer(env, 'MAX_FILE_IDS', 100, 1, 100_000),
    maxJsonBytes: integer(env, 'MAX_JSON_BYTES', 1_048_576, 1, 1_073_741_824),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000_000),
    demoSeed: boolean(env, 'DEMO_SEED', true),
    publicBaseUrl: baseUrl(env, 'PUBLIC_BASE_URL'),
    logLevel: logLevel(env, 'LOG_LEVEL'),
    redisUrl: redisUrl(env, 'REDIS_URL'),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    rateLimitKeyPrefix: 'crm-files:rate-limit',
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000),
    // At least a second: a smaller age would let the reaper take an upload still being written.
    stagingMaxAgeMs: integer(env, 'STAGING_MAX_AGE_MS', 3_600_000, 1_000, 604_800_000),
    testExitAt: nonEmpty(env.CRM_FILES_TEST_EXIT_AT) ?? null,
    storage: loadStorageConfig(env),
    webhooks: loadWebhookConfig(env),
  };
}

function baseUrl(env: Env, name: string): string | null {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return null;
  urlOf(name, raw, ['http:', 'https:'], 'an absolute http(s) URL');
  // Stored without a trailing slash so that links are built as base + "/api/...".
  return raw.replace(/\/+$/, '');
}

function logLevel(env: Env, name: string): LogLevel {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${LOG_LEVELS.join(', ')}, got "${env[name]}"`);
  }
  return raw as LogLevel;
}

function redisUrl(env: Env, name: string): string | null {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return null;
  urlOf(name, raw, ['redis:', 'rediss:'], 'a redis:// or rediss:// URL');
  return raw;
}

/** Exact origins as browsers send them: scheme, host and port, no path. */
function origins(env: Env, name: string): string[] {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new ConfigError(name, `must list origins such as https://crm.example.com, got "${entry}"`);
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== entry.replace(/\/$/, '')) {
        throw new ConfigError(name, `must list origins such as https://crm.example.com (no path), got "${entry}"`);
      }
      return url.origin;
    });
}
