import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, opendir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ContentTooLargeError, fileIdOfStorageKey, storageKeyForFile, type FileStorage, type StoredContent } from './file-storage.js';

/** What an unfinished write is called until its last byte is in: `<key>.<uuid>.partial`. */
const PARTIAL_SUFFIX = '.partial';

/**
 * Keeps contents as files under one root folder. Writes go to a temporary file first and are
 * renamed into place, so a failed or oversized upload leaves nothing behind.
 */
export class LocalDiskStorage implements FileStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  keyForFile(tenantId: number, fileId: number): string {
    return storageKeyForFile(tenantId, fileId);
  }

  async write(key: string, content: Readable, maxBytes: number): Promise<StoredContent> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}${PARTIAL_SUFFIX}`;
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(temporary, { flags: 'wx' });
    let writeError: Error | null = null;
    out.on('error', (error) => (writeError = error));
    try {
      // A plain loop rather than pipeline(): on the first byte over the limit the source is
      // destroyed at once (for an upload, that ends the request body) and nothing is retried.
      for await (const chunk of content as AsyncIterable<Buffer>) {
        if (writeError) throw writeError;
        size += chunk.length;
        if (size > maxBytes) throw new ContentTooLargeError(maxBytes);
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await finished(out);
      await rename(temporary, target);
    } catch (error) {
      out.destroy();
      await finished(out).catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(key), range);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /**
   * Walks the whole root; an entry's age is its modification time, which a rename keeps, so
   * content moved into place counts from when its last byte was written.
   */
  async *listStale(before: Date): AsyncIterable<{ key: string; fileId: number | null }> {
    const limit = before.getTime();
    for await (const path of walk(this.root)) {
      const info = await stat(path).catch(() => null);
      if (!info?.isFile() || info.mtimeMs >= limit) continue;
      const key = relative(this.root, path).split(sep).join('/');
      const fileId = fileIdOfStorageKey(key);
      // Only what this driver writes is ever offered for removal: a file's content, or a write
      // it left unfinished. Anything else under the root (an operator's file, a database placed
      // there by mistake) is not ours to delete.
      if (fileId !== null) yield { key, fileId };
      else if (isUnfinishedWrite(key)) yield { key, fileId: null };
    }
  }

  /** Resolves a key inside the root, refusing anything that would land outside it. */
  pathOf(key: string): string {
    const path = resolve(this.root, key);
    const inside = relative(this.root, path);
    if (key === '' || inside === '' || inside.startsWith('..') || isAbsolute(inside) || key.includes('\0')) {
      throw new Error(`Storage key "${key}" is outside the storage root.`);
    }
    return path;
  }
}

/** Every entry under `dir`, depth first; folders that vanish meanwhile (another reaper) are skipped. */
async function* walk(dir: string): AsyncIterable<string> {
  const entries = await opendir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!entries) return;
  for await (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** `<content key>.<uuid>.partial`: a write that never finished (the process died mid-upload). */
function isUnfinishedWrite(key: string): boolean {
  const match = /^(.+)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.partial$/.exec(key);
  return match !== null && fileIdOfStorageKey(match[1]) !== null;
}
