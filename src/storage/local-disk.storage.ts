import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ContentTooLargeError, storageKeyForFile, type FileStorage, type StoredContent } from './file-storage.js';

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
    const temporary = `${target}.${randomUUID()}.partial`;
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

  async move(from: string, to: string): Promise<void> {
    const target = this.pathOf(to);
    await mkdir(dirname(target), { recursive: true });
    await rename(this.pathOf(from), target);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *listStale(before: Date): AsyncIterable<{ key: string; fileId: number | null }> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const key = relative(this.root, `${entry.parentPath}/${entry.name}`);
      const stats = await lstat(this.pathOf(key)).catch(() => null);
      if (!stats || stats.mtime >= before) continue;
      const match = /^(\d+)\/\d{3}\/(\d+)$/.exec(key);
      const fileId = match && storageKeyForFile(Number(match[1]), Number(match[2])) === key ? Number(match[2]) : null;
      yield { key, fileId };
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
