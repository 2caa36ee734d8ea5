import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CrmFile } from '../../src/files/entities/crm-file.entity.js';
import { EventFileLink } from '../../src/history/entities/event-file-link.entity.js';
import { FILE_STORAGE, storageKeyForFile, type FileStorage } from '../../src/storage/file-storage.js';
import { useCli } from '../support/cli-harness.js';

/** The admin CLI run in-process: adding a file from disk. */
describe('admin CLI: file add', () => {
  const { dirs, config, context, db, ok, fails, newTenant, newUser } = useCli({ migrated: true });

  describe('file add', () => {
    const readAll = async (stream: Readable) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };

    it("stores the file for the user, in the user's tenant root folder, named after the path's last part", async () => {
      const tenant = await ok<{ id: number; rootFolderId: number }>(['tenant', 'create', '--name', 'Files']);
      const user = await newUser(tenant.id);
      const folder = join(dirs.work, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      const content = Buffer.from('%PDF-1.4 not really a pdf\n');
      await writeFile(join(folder, 'Quarterly Report.PDF'), content);

      const created = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, 'Quarterly Report.PDF')]);
      expect(Object.keys(created)).toEqual(['id']);
      expect(created.id).toBeTypeOf('number');

      const file = await db.getRepository(CrmFile).findOneByOrFail({ id: created.id });
      expect(file).toMatchObject({
        tenantId: tenant.id,
        folderId: tenant.rootFolderId,
        name: 'Quarterly Report.PDF',
        contentType: 'application/pdf',
        contentLength: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        version: 1,
        createdBy: user,
        updatedBy: user,
      });
      expect(await db.getRepository(EventFileLink).countBy({ fileId: created.id })).toBe(0);

      const storage = context.get<FileStorage>(FILE_STORAGE);
      expect(await readAll(storage.read(storageKeyForFile(tenant.id, created.id)))).toEqual(content);
    });

    it.each([
      ['notes.txt', 'text/plain'],
      ['page.html', 'text/html'],
      ['photo.jpeg', 'image/jpeg'],
      ['data.bin', 'application/octet-stream'],
      ['README', 'application/octet-stream'],
    ])('takes the content type of %s from its extension: %s', async (name, contentType) => {
      const user = await newUser(await newTenant());
      const folder = join(dirs.work, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, name), 'x');
      const created = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, name)]);
      expect(await db.getRepository(CrmFile).findOneByOrFail({ id: created.id })).toMatchObject({ name, contentType });
    });

    it('stores an empty file, and one of exactly MAX_UPLOAD_BYTES', async () => {
      const user = await newUser(await newTenant());
      const folder = join(dirs.work, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'empty.txt'), '');
      await writeFile(join(folder, 'exact.txt'), 'x'.repeat(16));
      const empty = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, 'empty.txt')], { ...config, maxUploadBytes: 16 });
      const exact = await ok<{ id: number }>(['file', 'add', '--user', user, join(folder, 'exact.txt')], { ...config, maxUploadBytes: 16 });
      expect(await db.getRepository(CrmFile).findOneByOrFail({ id: empty.id })).toMatchObject({ contentLength: 0 });
      expect(await db.getRepository(CrmFile).findOneByOrFail({ id: exact.id })).toMatchObject({ contentLength: 16 });
    });

    it('fails over MAX_UPLOAD_BYTES, storing nothing', async () => {
      const user = await newUser(await newTenant());
      const path = join(dirs.work, `big-${randomUUID()}.txt`);
      await writeFile(path, 'x'.repeat(17));
      await fails(['file', 'add', '--user', user, path], /MAX_UPLOAD_BYTES/, { ...config, maxUploadBytes: 16 });
      expect(await db.getRepository(CrmFile).countBy({ createdBy: user })).toBe(0);
    });

    it.each([
      ['of a missing path', ['$user', '$missing'], /not a readable file/],
      ['of a folder', ['$user', '$folder'], /not a readable file/],
      ['without a path', ['$user'], /exactly one file path/],
      ['with two paths', ['$user', '$file', '$file'], /exactly one file path/],
      ['for an unknown user', ['$unknown', '$file'], /No user/],
    ])('fails %s, storing nothing', async (_name, args, message) => {
      const user = await newUser(await newTenant());
      const folder = join(dirs.work, 'input', randomUUID());
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'a.txt'), 'a');
      const values: Record<string, string> = {
        $user: user,
        $unknown: randomUUID(),
        $missing: join(folder, 'nope.txt'),
        $folder: folder,
        $file: join(folder, 'a.txt'),
      };
      const [userArg, ...paths] = args.map((arg) => values[arg]);
      const before = await db.getRepository(CrmFile).count();
      await fails(['file', 'add', '--user', userArg, ...paths], message);
      expect(await db.getRepository(CrmFile).count()).toBe(before);
    });
  });
});
