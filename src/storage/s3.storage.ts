import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { S3Config } from '../config/storage-config.js';
import { ContentTooLargeError, type FileStorage, type StoredContent } from './file-storage.js';
import { StorageUnavailableError } from './storage-unavailable.error.js';

/** The smallest part S3 accepts (but for the last); a part is held in memory while it is sent. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3's limit on the parts of one multipart upload. */
const MAX_PARTS = 10_000;
/** Parts of one upload sent at once: memory per upload is about (QUEUE_SIZE + 1) parts. */
const QUEUE_SIZE = 2;
/** How long the readiness check waits for the bucket. */
const READY_TIMEOUT_MS = 3_000;

/**
 * Keeps contents as objects in an S3-compatible bucket, under `<prefix><tenant id>/<file id>`.
 *
 * Uploads stream from the request to the bucket: content smaller than one part is sent with one
 * PutObject, larger content as a multipart upload, so at most a few parts are in memory and
 * nothing touches the local disk. An upload that fails (the source breaks, is too large, or the
 * bucket refuses) leaves no object: a multipart upload is aborted and the key is deleted.
 *
 * The client computes and checks checksums only when an operation requires them. With the SDK's
 * default (always), a streamed body is sent with aws-chunked framing that some S3 peers (s3rver,
 * older MinIO and Ceph) store verbatim, trailer included; after every upload the stored size is
 * compared with the bytes read, so such a peer fails the upload instead of keeping wrong bytes.
 */
export class S3Storage implements FileStorage, OnApplicationShutdown {
  private readonly logger = new Logger(S3Storage.name);
  readonly client: S3Client;
  private readonly partSize: number;

  constructor(
    private readonly config: S3Config,
    maxUploadBytes: number,
  ) {
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint ?? undefined,
      forcePathStyle: config.forcePathStyle,
      credentials:
        config.accessKeyId !== null && config.secretAccessKey !== null
          ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
          : undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    // Parts big enough that the largest accepted file fits in S3's 10,000 parts.
    this.partSize = Math.max(MIN_PART_SIZE, Math.ceil(maxUploadBytes / MAX_PARTS));
  }

  keyForFile(tenantId: number, fileId: number): string {
    return `${tenantId}/${fileId}`;
  }

  /** The object key of a storage key: the configured prefix, then the key. */
  objectKey(key: string): string {
    return `${this.config.prefix}${key}`;
  }

  async write(key: string, content: Readable, maxBytes: number): Promise<StoredContent> {
    const Key = this.objectKey(key);
    const hash = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        // The first byte over the limit ends the source (for an upload, the request body).
        if (size > maxBytes) return callback(new ContentTooLargeError(maxBytes));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const piped = pipeline(content, counter).then(
      () => null,
      (error: unknown) => error,
    );
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key, Body: counter },
      partSize: this.partSize,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      const sourceError = await piped;
      if (sourceError) throw sourceError;
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key }));
      if (head.ContentLength !== size) {
        throw new Error(`The bucket stored ${head.ContentLength} bytes for ${size} bytes sent; check the peer's checksum support.`);
      }
    } catch (error) {
      // The source's own failure (too large, the client went away) comes first: it is the cause.
      if (!counter.destroyed) counter.destroy(error as Error);
      const sourceError = await piped;
      await this.remove(key).catch(() => undefined);
      if (sourceError) throw sourceError;
      // The bucket failed, not the request: say so (503 storage-unavailable), never as a database
      // outage, which its network error codes would otherwise suggest.
      this.logger.warn(`Writing ${Key} to the bucket failed: ${(error as Error).name}: ${(error as Error).message}`);
      throw new StorageUnavailableError();
    }
    return { size, sha256: hash.digest('hex') };
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    const out = new PassThrough();
    const abort = new AbortController();
    out.once('close', () => abort.abort());
    this.client
      .send(
        new GetObjectCommand({
          Bucket: this.config.bucket,
          Key: this.objectKey(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
        { abortSignal: abort.signal },
      )
      .then(
        (response) => {
          const body = response.Body as Readable;
          if (!range) return pipeline(body, out);
          // A peer may answer a range with more than was asked (s3rver reads "bytes=0-0" as
          // "bytes=0-"): check where its answer starts and pass on exactly the range's bytes.
          const served = /^bytes (\d+)-(\d+)\//.exec(response.ContentRange ?? '');
          if (!served || Number(served[1]) !== range.start || Number(served[2]) < range.end) {
            body.destroy();
            throw new Error(
              `The bucket answered the range ${range.start}-${range.end} with "${response.ContentRange ?? 'no Content-Range'}".`,
            );
          }
          return pipeline(body, firstBytes(range.end - range.start + 1), out);
        },
        (error: Error) => out.destroy(error),
      )
      .catch((error: Error) => out.destroy(error));
    return out;
  }

  async remove(key: string): Promise<void> {
    // DeleteObject answers 204 whether or not the object exists.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
  }

  /**
   * Objects under the prefix last written before `before`. Multipart uploads left unfinished by
   * a crash (parts without an object) are aborted here too, as they cannot be listed as keys.
   */
  async *listStale(before: Date): AsyncIterable<{ key: string; fileId: number | null }> {
    await this.abortUploadsStartedBefore(before);
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.config.prefix || undefined, ContinuationToken }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || !object.Key.startsWith(this.config.prefix)) continue;
        if (!object.LastModified || object.LastModified >= before) continue;
        const key = object.Key.slice(this.config.prefix.length);
        const match = /^[1-9]\d*\/([1-9]\d*)$/.exec(key);
        // Objects this driver did not write (another application's, under a shared prefix) are
        // never offered for removal; it writes nothing but final keys.
        if (match) yield { key, fileId: Number(match[1]) };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  /** Checks that the bucket exists and these credentials reach it. */
  async checkReady(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), { abortSignal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }

  private async abortUploadsStartedBefore(before: Date): Promise<void> {
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.config.bucket,
            Prefix: this.config.prefix || undefined,
            KeyMarker,
            UploadIdMarker,
          }),
        );
      } catch (error) {
        // Some peers (s3rver among them) do not list uploads; a bucket lifecycle rule covers them.
        if (
          (error as { name?: string }).name === 'NotImplemented' ||
          (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 501
        )
          return;
        throw error;
      }
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated >= before) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.config.bucket, Key: upload.Key, UploadId: upload.UploadId }));
      }
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      UploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (KeyMarker);
  }
}

/** Passes on the first `length` bytes of a stream and drops the rest. */
function firstBytes(length: number): Transform {
  let left = length;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const kept = left > 0 ? chunk.subarray(0, left) : null;
      left -= kept?.length ?? 0;
      callback(null, kept?.length ? kept : undefined);
    },
  });
}
