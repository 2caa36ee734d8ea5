import { ConfigError } from './config-error.js';
import { boolean, nonEmpty, urlOf, type Env } from './env-readers.js';

/** An S3-compatible bucket: AWS S3, MinIO, Ceph RGW, Cloudflare R2 and the like. */
export interface S3Config {
  bucket: string;
  /** Null means AWS itself (the SDK picks the endpoint from the region). */
  endpoint: string | null;
  region: string;
  /** Put before every object key as is: `files/` gives `files/<tenant id>/<file id>`. */
  prefix: string;
  /** Both set, or both null for the AWS SDK's default credential chain. */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

export type StorageConfig = { driver: 'local' } | ({ driver: 's3' } & S3Config);

const DRIVERS = ['local', 's3'] as const;

/**
 * STORAGE_DRIVER and the S3_* variables. With `local` the S3_* variables are ignored; with `s3`
 * the bucket is required and every S3_* value is checked, so that a typo stops the start-up
 * rather than the first upload.
 */
export function loadStorageConfig(env: Env): StorageConfig {
  const driver = nonEmpty(env.STORAGE_DRIVER)?.toLowerCase() ?? 'local';
  if (!(DRIVERS as readonly string[]).includes(driver)) {
    throw new ConfigError('STORAGE_DRIVER', `must be "local" or "s3", got "${env.STORAGE_DRIVER}"`);
  }
  if (driver === 'local') return { driver: 'local' };

  const bucket = nonEmpty(env.S3_BUCKET);
  if (bucket === undefined) throw new ConfigError('S3_BUCKET', 'is required when STORAGE_DRIVER=s3');
  // The bucket naming rules every S3-compatible store shares (names are not case-folded).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw new ConfigError('S3_BUCKET', `must be 3 to 63 lowercase letters, digits, dots and hyphens, got "${bucket}"`);
  }

  const accessKeyId = nonEmpty(env.S3_ACCESS_KEY_ID) ?? null;
  const secretAccessKey = nonEmpty(env.S3_SECRET_ACCESS_KEY) ?? null;
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    const missing = accessKeyId === null ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
    const other = accessKeyId === null ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID';
    throw new ConfigError(missing, `must be set together with ${other} (or leave both empty for the AWS SDK's default credentials)`);
  }

  return {
    driver: 's3',
    bucket,
    endpoint: endpoint(env),
    region: region(env),
    prefix: prefix(env),
    accessKeyId,
    secretAccessKey,
    forcePathStyle: boolean(env, 'S3_FORCE_PATH_STYLE', false),
  };
}

function endpoint(env: Env): string | null {
  const raw = nonEmpty(env.S3_ENDPOINT);
  if (raw === undefined) return null;
  const url = urlOf('S3_ENDPOINT', raw, ['http:', 'https:'], 'an absolute http(s) URL');
  if (url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new ConfigError('S3_ENDPOINT', `must be an absolute http(s) URL without credentials, query or fragment, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function region(env: Env): string {
  const raw = nonEmpty(env.S3_REGION) ?? 'us-east-1';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(raw)) {
    throw new ConfigError('S3_REGION', `must be a region name such as us-east-1 (lowercase letters, digits, hyphens), got "${raw}"`);
  }
  return raw;
}

function prefix(env: Env): string {
  // Not trimmed: a prefix is used byte for byte. Empty means objects at the bucket's root.
  const raw = env.S3_PREFIX ?? '';
  if (raw === '') return '';
  if (raw.length > 512 || /\p{Cc}/u.test(raw) || raw.startsWith('/') || raw.split('/').some((part) => part === '.' || part === '..')) {
    throw new ConfigError(
      'S3_PREFIX',
      `must be at most 512 printable characters, not start with "/" and hold no "." or ".." segment, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}
