import type { Readable } from 'node:stream';

/** What a storage driver reports about content it has just written. */
export interface StoredContent {
  size: number;
  sha256: string;
}

/**
 * Where file contents live. Keys are made by the service from file ids, never from names a
 * user sent. Implementations write atomically: a reader sees the whole content or nothing.
 */
export interface FileStorage {
  /** The key of a file's content, made from its tenant and file ids only; each driver has its own layout. */
  keyForFile(tenantId: number, fileId: number): string;
  /**
   * Writes the stream under `key`; rejects (keeping nothing under `key`) when it exceeds
   * `maxBytes` or the stream fails. Content is streamed, never held whole in memory or on disk.
   */
  write(key: string, content: Readable, maxBytes: number): Promise<StoredContent>;
  /** The content, or the byte range of it (inclusive); a missing key fails the stream. */
  read(key: string, range?: { start: number; end: number }): Readable;
  /** Removes the content; removing content that is not there is not an error. */
  remove(key: string): Promise<void>;
  /** What the reaper may remove: entries last written before `before`. `fileId` is set for a file's content
   *  (derived from its key), null for anything else (staged or partial writes). */
  listStale(before: Date): AsyncIterable<{ key: string; fileId: number | null }>;
  /** Rejects when the storage cannot be used (for the readiness check); drivers with nothing to check leave it out. */
  checkReady?(): Promise<void>;
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');

/** The storage key of a file's content: two levels of fan-out so no folder grows unbounded. */
export function storageKeyForFile(tenantId: number, fileId: number): string {
  const shard = String(fileId % 1000).padStart(3, '0');
  return `${tenantId}/${shard}/${fileId}`;
}

/** The file id a content key names (the inverse of storageKeyForFile), or null for any other key. */
export function fileIdOfStorageKey(key: string): number | null {
  const match = /^(\d+)\/(\d{3})\/(\d+)$/.exec(key);
  if (!match) return null;
  const fileId = Number(match[3]);
  return Number.isSafeInteger(fileId) && storageKeyForFile(Number(match[1]), fileId) === key ? fileId : null;
}

export class ContentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The content is larger than ${maxBytes} bytes.`);
    this.name = 'ContentTooLargeError';
  }
}
