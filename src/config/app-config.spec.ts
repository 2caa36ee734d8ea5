import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, loadAppConfig } from './app-config.js';
import { ConfigError } from './config-error.js';
import { parseDatabaseUrl } from './database-url.js';

/** The ConfigError that loading `env` throws. */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadAppConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadAppConfig', () => {
  it('has exactly the documented defaults (docs/contract.md, "Limits") when nothing is set', () => {
    expect(loadAppConfig({})).toStrictEqual({
      port: 3000,
      host: '0.0.0.0',
      database: { kind: 'sqlite', path: 'data/crm-files.sqlite' },
      databaseIsDefault: true,
      filesDir: 'data/files',
      maxUploadBytes: 104_857_600,
      maxFileIds: 100,
      maxJsonBytes: 1_048_576,
      rateLimitPerMinute: 600,
      demoSeed: true,
      publicBaseUrl: null,
      logLevel: 'info',
      redisUrl: null,
      corsOrigins: [],
      rateLimitKeyPrefix: 'crm-files:rate-limit',
      shutdownGraceMs: 10_000,
      stagingMaxAgeMs: 3_600_000,
      testExitAt: null,
      storage: { driver: 'local' },
      webhooks: {
        allowHttp: false,
        allowPrivateTargets: false,
        retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      },
    });
    expect(DEFAULT_DATABASE_URL).toBe('sqlite:data/crm-files.sqlite');
  });

  it('treats empty values as unset', () => {
    expect(
      loadAppConfig({
        PORT: '',
        HOST: ' ',
        FILES_DIR: '',
        DEMO_SEED: '',
        PUBLIC_BASE_URL: '',
        LOG_LEVEL: '',
        REDIS_URL: ' ',
        CORS_ORIGINS: '',
        WEBHOOK_ALLOW_HTTP: '',
        WEBHOOK_RETRY_SCHEDULE: ' ',
      }),
    ).toStrictEqual(loadAppConfig({}));
  });

  it('reads every variable', () => {
    expect(
      loadAppConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        DATABASE_URL: 'mysql://crm:secret@db:3307/crm',
        FILES_DIR: '/var/lib/crm-files',
        MAX_UPLOAD_BYTES: '1000',
        MAX_FILE_IDS: '5',
        MAX_JSON_BYTES: '2048',
        RATE_LIMIT_PER_MINUTE: '0',
        DEMO_SEED: 'false',
        PUBLIC_BASE_URL: 'https://crm.example.com',
        LOG_LEVEL: 'debug',
        REDIS_URL: 'redis://cache:6380',
        CORS_ORIGINS: 'https://crm.example.com, http://localhost:5173',
        SHUTDOWN_GRACE_MS: '2500',
        STAGING_MAX_AGE_MS: '60000',
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes',
        WEBHOOK_RETRY_SCHEDULE: '250ms, 2s,1m,1h',
      }),
    ).toStrictEqual({
      port: 8080,
      host: '127.0.0.1',
      database: { kind: 'mysql', host: 'db', port: 3307, username: 'crm', password: 'secret', database: 'crm' },
      databaseIsDefault: false,
      filesDir: '/var/lib/crm-files',
      maxUploadBytes: 1000,
      maxFileIds: 5,
      maxJsonBytes: 2048,
      rateLimitPerMinute: 0,
      demoSeed: false,
      publicBaseUrl: 'https://crm.example.com',
      logLevel: 'debug',
      redisUrl: 'redis://cache:6380',
      corsOrigins: ['https://crm.example.com', 'http://localhost:5173'],
      rateLimitKeyPrefix: 'crm-files:rate-limit',
      shutdownGraceMs: 2500,
      stagingMaxAgeMs: 60_000,
      testExitAt: null,
      storage: { driver: 'local' },
      webhooks: { allowHttp: true, allowPrivateTargets: true, retryScheduleMs: [250, 2_000, 60_000, 3_600_000] },
    });
  });

  it('accepts SHUTDOWN_GRACE_MS=0 (abort at once) and STAGING_MAX_AGE_MS down to one second', () => {
    expect(loadAppConfig({ SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs).toBe(0);
    expect(loadAppConfig({ STAGING_MAX_AGE_MS: '1000' }).stagingMaxAgeMs).toBe(1000);
  });

  it('reads the test-only exit point, which is unset by default', () => {
    expect(loadAppConfig({ CRM_FILES_TEST_EXIT_AT: 'after-content-move' }).testExitAt).toBe('after-content-move');
    expect(loadAppConfig({ CRM_FILES_TEST_EXIT_AT: ' ' }).testExitAt).toBeNull();
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
  ])('reads DEMO_SEED=%s as %s', (value, expected) => {
    expect(loadAppConfig({ DEMO_SEED: value }).demoSeed).toBe(expected);
  });

  it('accepts MAX_UPLOAD_BYTES=0 (empty files only) and RATE_LIMIT_PER_MINUTE=0 (off)', () => {
    expect(loadAppConfig({ MAX_UPLOAD_BYTES: '0' }).maxUploadBytes).toBe(0);
    expect(loadAppConfig({ RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });

  it('reads LOG_LEVEL in any letter case and CORS_ORIGINS with spaces, empty entries and a trailing slash', () => {
    expect(loadAppConfig({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(loadAppConfig({ CORS_ORIGINS: ' https://a.example.com/ ,, http://b.example.com:8080' }).corsOrigins).toEqual([
      'https://a.example.com',
      'http://b.example.com:8080',
    ]);
    expect(loadAppConfig({ REDIS_URL: 'rediss://user:pw@cache.internal:6380/2' }).redisUrl).toBe('rediss://user:pw@cache.internal:6380/2');
  });

  it('keeps PUBLIC_BASE_URL without a trailing slash', () => {
    expect(loadAppConfig({ PUBLIC_BASE_URL: 'https://crm.example.com/' }).publicBaseUrl).toBe('https://crm.example.com');
    expect(loadAppConfig({ PUBLIC_BASE_URL: 'http://localhost:3000/crm//' }).publicBaseUrl).toBe('http://localhost:3000/crm');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '3000.5'],
    ['PORT', '1e3'],
    ['MAX_UPLOAD_BYTES', '-1'],
    ['MAX_UPLOAD_BYTES', '10MB'],
    ['MAX_FILE_IDS', '0'],
    ['MAX_JSON_BYTES', '0'],
    ['RATE_LIMIT_PER_MINUTE', '-5'],
    ['DEMO_SEED', 'maybe'],
    ['WEBHOOK_ALLOW_HTTP', 'maybe'],
    ['WEBHOOK_ALLOW_PRIVATE_TARGETS', '2'],
    ['WEBHOOK_RETRY_SCHEDULE', '5'],
    ['WEBHOOK_RETRY_SCHEDULE', '5s,,1m'],
    ['WEBHOOK_RETRY_SCHEDULE', '1d'],
    ['DATABASE_URL', 'postgres://x'],
    ['DATABASE_URL', 'sqlite:'],
    ['DATABASE_URL', 'mysql://db-host'],
    ['DATABASE_URL', 'data/crm.sqlite'],
    ['PUBLIC_BASE_URL', 'ftp://x'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['PUBLIC_BASE_URL', '/relative'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'silent'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'http://cache:6379'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://crm.example.com/app'],
    ['CORS_ORIGINS', 'https://ok.example.com,crm.example.com'],
    ['SHUTDOWN_GRACE_MS', '-1'],
    ['SHUTDOWN_GRACE_MS', '10s'],
    ['SHUTDOWN_GRACE_MS', '3600001'],
    ['STAGING_MAX_AGE_MS', '999'],
    ['STAGING_MAX_AGE_MS', '1h'],
  ])('rejects %s=%s with a ConfigError naming the variable', (variable, value) => {
    const error = configErrorOf({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable} `)).toBe(true);
  });

  describe('storage (STORAGE_DRIVER and S3_*)', () => {
    it('is local by default, and local ignores the S3_* variables', () => {
      expect(loadAppConfig({}).storage).toStrictEqual({ driver: 'local' });
      expect(loadAppConfig({ STORAGE_DRIVER: 'local', S3_BUCKET: 'Not A Bucket!', S3_REGION: '??' }).storage).toStrictEqual({
        driver: 'local',
      });
      expect(loadAppConfig({ STORAGE_DRIVER: ' ' }).storage).toStrictEqual({ driver: 'local' });
    });

    it('with s3, needs only the bucket and has the documented defaults', () => {
      expect(loadAppConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm-files' }).storage).toStrictEqual({
        driver: 's3',
        bucket: 'crm-files',
        endpoint: null,
        region: 'us-east-1',
        prefix: '',
        accessKeyId: null,
        secretAccessKey: null,
        forcePathStyle: false,
      });
    });

    it('reads every S3_* variable', () => {
      expect(
        loadAppConfig({
          STORAGE_DRIVER: 'S3',
          S3_BUCKET: 'crm.files-1',
          S3_ENDPOINT: 'http://minio:9000/',
          S3_REGION: 'eu-west-3',
          S3_PREFIX: 'crm/files/',
          S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
          S3_SECRET_ACCESS_KEY: 'secret/key+value',
          S3_FORCE_PATH_STYLE: 'true',
        }).storage,
      ).toStrictEqual({
        driver: 's3',
        bucket: 'crm.files-1',
        endpoint: 'http://minio:9000',
        region: 'eu-west-3',
        prefix: 'crm/files/',
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: 'secret/key+value',
        forcePathStyle: true,
      });
    });

    it('keeps S3_PREFIX byte for byte (no trimming, no slash added)', () => {
      expect(loadAppConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'b12', S3_PREFIX: 'tenant-data-' }).storage).toMatchObject({
        prefix: 'tenant-data-',
      });
    });

    it.each([
      [{ STORAGE_DRIVER: 'gcs' }, 'STORAGE_DRIVER'],
      [{ STORAGE_DRIVER: 's3' }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: '  ' }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'ab' }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'Upper-Case' }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'under_score' }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'a..b' }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: `b${'x'.repeat(63)}` }, 'S3_BUCKET'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_ENDPOINT: 'ftp://minio:9000' }, 'S3_ENDPOINT'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_ENDPOINT: 'http://user:pw@minio:9000' }, 'S3_ENDPOINT'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_REGION: 'EU West' }, 'S3_REGION'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_PREFIX: '/files/' }, 'S3_PREFIX'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_PREFIX: 'a/../b/' }, 'S3_PREFIX'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_PREFIX: 'tab\there/' }, 'S3_PREFIX'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_ACCESS_KEY_ID: 'AKIA' }, 'S3_SECRET_ACCESS_KEY'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_SECRET_ACCESS_KEY: 'secret' }, 'S3_ACCESS_KEY_ID'],
      [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'crm', S3_FORCE_PATH_STYLE: 'sometimes' }, 'S3_FORCE_PATH_STYLE'],
    ])('rejects %j with a ConfigError naming %s', (env, variable) => {
      const error = configErrorOf(env as Record<string, string>);
      expect(error.variable).toBe(variable);
      expect(error.message.startsWith(`${variable} `)).toBe(true);
    });
  });

  describe('databaseIsDefault', () => {
    it('is true when DATABASE_URL is unset', () => {
      expect(loadAppConfig({}).databaseIsDefault).toBe(true);
    });

    it('is false whenever DATABASE_URL is set, even to the default value', () => {
      expect(loadAppConfig({ DATABASE_URL: DEFAULT_DATABASE_URL }).databaseIsDefault).toBe(false);
      expect(loadAppConfig({ DATABASE_URL: 'sqlite::memory:' }).databaseIsDefault).toBe(false);
      expect(loadAppConfig({ DATABASE_URL: 'mysql://root@localhost/crm' }).databaseIsDefault).toBe(false);
    });
  });
});

describe('parseDatabaseUrl', () => {
  it('reads sqlite:<path> and sqlite::memory:', () => {
    expect(parseDatabaseUrl('sqlite:data/x.sqlite', 'DATABASE_URL')).toEqual({ kind: 'sqlite', path: 'data/x.sqlite' });
    expect(parseDatabaseUrl('sqlite:/tmp/abs.sqlite', 'DATABASE_URL')).toEqual({ kind: 'sqlite', path: '/tmp/abs.sqlite' });
    expect(parseDatabaseUrl('sqlite::memory:', 'DATABASE_URL')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('reads a full mysql URL, decoding %-escapes in the user and password', () => {
    expect(parseDatabaseUrl('mysql://crm%40app:p%40ss%3Aw%2Frd@db.example.com:3307/crm_files', 'DATABASE_URL')).toEqual({
      kind: 'mysql',
      host: 'db.example.com',
      port: 3307,
      username: 'crm@app',
      password: 'p@ss:w/rd',
      database: 'crm_files',
    });
  });

  it('defaults the port to 3306 and the password to empty', () => {
    expect(parseDatabaseUrl('mysql://root@127.0.0.1/test', 'TEST_MYSQL_URL')).toEqual({
      kind: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      username: 'root',
      password: '',
      database: 'test',
    });
  });

  it('names the variable it was given in errors', () => {
    expect(() => parseDatabaseUrl('postgres://x/y', 'TEST_MYSQL_URL')).toThrow(/^TEST_MYSQL_URL /);
  });
});
