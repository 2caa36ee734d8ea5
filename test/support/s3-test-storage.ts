import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import type { S3Config } from '../../src/config/storage-config.js';

/** True in the test project that runs the files suites on the S3 driver (TEST_STORAGE=s3). */
export const testingOnS3 = () => process.env.TEST_STORAGE === 's3';

const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A client of the run's s3rver that the tests use to look into buckets behind the service's
 * back. Like the service, it computes checksums only when an operation requires them.
 */
export function s3rverClient(): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: inject('s3Endpoint'),
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A new, empty bucket in the run's s3rver, and the storage settings that point the service at it. */
export async function freshBucket(prefix = 'crm-files/'): Promise<S3Config & { driver: 's3' }> {
  const bucket = `t${process.pid}-${randomBytes(6).toString('hex')}`;
  const client = s3rverClient();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    driver: 's3',
    bucket,
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    prefix,
    ...S3RVER_CREDENTIALS,
    forcePathStyle: true,
  };
}

/** What the tests read of a bucket: its objects under the service's prefix, keyed as the service keys them. */
export class BucketContents {
  private readonly client = s3rverClient();

  constructor(readonly location: { bucket: string; prefix: string }) {}

  /** Every object under the prefix, as sorted keys relative to it. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: this.location.prefix || undefined, ContinuationToken }),
      );
      for (const object of page.Contents ?? []) keys.push(object.Key!.slice(this.location.prefix.length));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys.sort();
  }

  /** Every object in the whole bucket, prefix included: nothing may be written outside the prefix. */
  async allObjectKeys(): Promise<string[]> {
    const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket }));
    return (page.Contents ?? []).map((object) => object.Key!).sort();
  }

  async read(key: string): Promise<Buffer> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.location.prefix + key }));
    const chunks: Buffer[] = [];
    for await (const chunk of response.Body as Readable) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.location.prefix + key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.location.prefix + key }));
  }

  close(): void {
    this.client.destroy();
  }
}

/**
 * The bucket behind each running test app in the S3 project, found by the app's FILES_DIR: the
 * helpers that look at stored contents (`filesUnder`, `readStored`...) take that folder, and
 * read the bucket instead when the app stores its contents there.
 */
export const bucketsByFilesDir = new Map<string, BucketContents>();
