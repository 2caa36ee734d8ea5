import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentTooLargeError, fileIdOfStorageKey, storageKeyForFile } from './file-storage.js';
import { LocalDiskStorage } from './local-disk.storage.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('LocalDiskStorage', () => {
  let root: string;
  let storage: LocalDiskStorage;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'crm-files-storage-'));
    storage = new LocalDiskStorage(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('write', () => {
    it('returns the size and SHA-256, and the content reads back', async () => {
      const content = Buffer.from('hello, world\n');
      const stored = await storage.write('1/001/1', Readable.from([content]), 1000);
      expect(stored).toEqual({ size: content.length, sha256: sha256(content) });
      expect(await readAll(storage.read('1/001/1'))).toEqual(content);
      expect(await filesUnder(root)).toEqual([join('1', '001', '1')]);
    });

    it('counts and hashes content sent in many chunks', async () => {
      const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000, i));
      const whole = Buffer.concat(chunks);
      const stored = await storage.write('many', Readable.from(chunks), whole.length);
      expect(stored).toEqual({ size: 50_000, sha256: sha256(whole) });
      expect(await readAll(storage.read('many'))).toEqual(whole);
    });

    it('stores empty content', async () => {
      const stored = await storage.write('empty', Readable.from([]), 0);
      expect(stored).toEqual({ size: 0, sha256: sha256('') });
      expect((await readAll(storage.read('empty'))).length).toBe(0);
    });

    it('accepts content of exactly maxBytes', async () => {
      const stored = await storage.write('exact', Readable.from([Buffer.alloc(10, 1)]), 10);
      expect(stored.size).toBe(10);
    });

    it('rejects content over maxBytes with ContentTooLargeError and keeps nothing, not even a .partial', async () => {
      const content = Readable.from([Buffer.alloc(6, 1), Buffer.alloc(6, 2)]);
      const error = await storage.write('1/001/big', content, 10).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ContentTooLargeError);
      expect((error as ContentTooLargeError).maxBytes).toBe(10);
      expect(await filesUnder(root)).toEqual([]);
    });

    it('rejects a first chunk over maxBytes and keeps nothing', async () => {
      await expect(storage.write('big', Readable.from([Buffer.alloc(2048)]), 1024)).rejects.toBeInstanceOf(ContentTooLargeError);
      expect(await filesUnder(root)).toEqual([]);
    });

    it('leaves an existing content untouched when an oversized write to the same key fails', async () => {
      await storage.write('same', Readable.from([Buffer.from('old')]), 10);
      await expect(storage.write('same', Readable.from([Buffer.from('far too long')]), 10)).rejects.toBeInstanceOf(ContentTooLargeError);
      expect((await readAll(storage.read('same'))).toString()).toBe('old');
      expect(await filesUnder(root)).toEqual(['same']);
    });

    it('keeps nothing when the source stream fails midway', async () => {
      async function* failing() {
        yield Buffer.from('part one');
        throw new Error('client went away');
      }
      await expect(storage.write('broken', Readable.from(failing()), 1000)).rejects.toThrow('client went away');
      expect(await filesUnder(root)).toEqual([]);
    });
  });

  it('keeps nothing after many failed writes in a row, however early they fail', async () => {
    // The failure can come before the temporary file has even been opened: cleanup must not race it.
    async function* failing() {
      yield Buffer.from('part');
      throw new Error('client went away');
    }
    for (let i = 0; i < 100; i++) {
      await expect(storage.write(`race/a${i}`, Readable.from([Buffer.alloc(2048)]), 1024)).rejects.toBeInstanceOf(ContentTooLargeError);
      await expect(storage.write(`race/b${i}`, Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), 10)).rejects.toBeInstanceOf(
        ContentTooLargeError,
      );
      await expect(storage.write(`race/c${i}`, Readable.from(failing()), 1000)).rejects.toThrow('client went away');
    }
    expect(await filesUnder(root)).toEqual([]);
  });

  it('reads a byte range, inclusive', async () => {
    await storage.write('range', Readable.from([Buffer.from('0123456789')]), 100);
    expect((await readAll(storage.read('range', { start: 2, end: 5 }))).toString()).toBe('2345');
  });

  it('removes content, and removing missing content is fine', async () => {
    await storage.write('gone', Readable.from([Buffer.from('x')]), 10);
    await storage.remove('gone');
    expect(await filesUnder(root)).toEqual([]);
    await expect(storage.remove('gone')).resolves.toBeUndefined();
    await expect(storage.remove('never/was/here')).resolves.toBeUndefined();
  });

  describe('listStale', () => {
    const listAll = async (before: Date) => {
      const entries: { key: string; fileId: number | null }[] = [];
      for await (const entry of storage.listStale(before)) entries.push(entry);
      return entries.sort((a, b) => a.key.localeCompare(b.key));
    };
    const writeAged = async (key: string, ageMs: number) => {
      const path = join(root, key);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, 'x');
      const when = new Date(Date.now() - ageMs);
      await utimes(path, when, when);
    };

    it('lists its own entries last written before the date (contents with their file id, unfinished writes), never anything else', async () => {
      const uuid = '0b0e3c1a-5f1c-4e2d-9a7b-1234567890ab';
      await writeAged(storageKeyForFile(7, 1234), 60_000);
      await writeAged(`${storageKeyForFile(7, 1235)}.${uuid}.partial`, 60_000);
      await writeAged(storageKeyForFile(7, 99), 1_000);
      await writeAged(`${storageKeyForFile(7, 98)}.${uuid}.partial`, 0);
      // Not written by the driver: an operator's file, a database put under the root by mistake.
      await writeAged('notes.txt', 60_000);
      await writeAged('crm-files.sqlite', 60_000);
      await writeAged('7/235/1235.backup', 60_000);

      expect(await listAll(new Date(Date.now() - 30_000))).toStrictEqual([
        { key: '7/234/1234', fileId: 1234 },
        { key: `7/235/1235.${uuid}.partial`, fileId: null },
      ]);
      expect((await listAll(new Date(Date.now() + 1000))).map((entry) => entry.key)).toContain(`7/098/98.${uuid}.partial`);
    });

    it('lists nothing in an empty root, and nothing under a root that does not exist', async () => {
      expect(await listAll(new Date())).toStrictEqual([]);
      storage = new LocalDiskStorage(join(root, 'missing'));
      expect(await listAll(new Date())).toStrictEqual([]);
    });
  });

  it('reads file ids back only from keys storageKeyForFile makes', () => {
    expect(fileIdOfStorageKey(storageKeyForFile(3, 1000))).toBe(1000);
    expect(fileIdOfStorageKey(storageKeyForFile(3, 7))).toBe(7);
    expect(fileIdOfStorageKey('3/001/7')).toBeNull();
    expect(fileIdOfStorageKey('3/007/7.partial')).toBeNull();
    expect(fileIdOfStorageKey('staging/7')).toBeNull();
  });

  describe('pathOf', () => {
    it('resolves keys inside the root', () => {
      expect(storage.pathOf('1/001/1')).toBe(join(root, '1', '001', '1'));
      expect(storage.pathOf('a/../b')).toBe(join(root, 'b'));
    });

    it.each(['../x', '../../etc/passwd', 'a/../../x', '/etc/passwd', '', '.', 'a/..', 'a\0b', '\0'])('refuses %j', (key) => {
      expect(() => storage.pathOf(key)).toThrow(/outside the storage root/);
    });

    it('refuses a sibling folder that shares the root as a prefix', () => {
      expect(() => storage.pathOf(`../${root.split('/').pop()}-evil/x`)).toThrow(/outside the storage root/);
    });

    it('refuses to write, read or remove outside the root', async () => {
      await expect(storage.write('../escape', Readable.from([Buffer.from('x')]), 10)).rejects.toThrow(/outside/);
      expect(() => storage.read('/etc/passwd')).toThrow(/outside/);
      await writeFile(join(root, 'inside'), 'x');
      await expect(storage.remove('../x')).rejects.toThrow(/outside/);
      expect(await filesUnder(root)).toEqual(['inside']);
    });
  });
});

describe('storageKeyForFile', () => {
  it('fans out by the last three digits of the id under the tenant', () => {
    expect(storageKeyForFile(1, 1)).toBe('1/001/1');
    expect(storageKeyForFile(2, 123456)).toBe('2/456/123456');
    expect(storageKeyForFile(7, 2147483647)).toBe('7/647/2147483647');
  });
});
