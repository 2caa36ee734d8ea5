import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoInternals, expectProblem } from '../support/problem.js';
import { filesUnder } from '../support/stored-files.js';
import { contactScene, postText, twoTextParts, uploadMultipart, uploadRaw } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * Staged contents are moved under their file's key inside the transaction that writes the file
 * rows: when the move fails, the rows are rolled back and the staged content removed, so no row
 * ever points at missing content (see docs/contract.md, "Storage").
 */
describe('when storage cannot move a staged upload into place', () => {
  const { t, rows, files } = useTestApp();

  /**
   * A tenant whose storage folder cannot be made: a plain file stands where the folder of its
   * contents would go, so every move into it fails while staging (elsewhere) still works.
   */
  const blockedScene = async () => {
    const scene = await contactScene(t);
    const blocker = join(t.config.filesDir, String(scene.tenant.id));
    await writeFile(blocker, 'not a folder');
    const before = await filesUnder(t.config.filesDir);
    /** Nothing but the blocker is left, no file row, no event: then the blocker goes. */
    const expectNothingKept = async () => {
      expect(await files.ofTenant(scene.tenant.id)).toEqual([]);
      expect(await rows.counts(scene.tenant.id)).toEqual({ events: 0, links: 0 });
      expect(await filesUnder(t.config.filesDir)).toEqual(before);
      await rm(blocker);
    };
    return { ...scene, expectNothingKept };
  };

  it('given a raw upload, the answer is 500 and no file row and no content is kept', async () => {
    const { caller, path, expectNothingKept } = await blockedScene();

    const response = await uploadRaw(t, caller.apiKey, path(), 'some bytes', {
      'Content-Type': 'text/plain',
      'Content-Disposition': 'attachment; filename="moved.txt"',
    });

    expectProblem(response, 500);
    expectNoInternals(response);
    await expectNothingKept();
  });

  it('given a multipart upload of two files with attach=true, the answer is 500 and no file row, content, event or link is kept', async () => {
    const { caller, path, expectNothingKept } = await blockedScene();

    const response = await uploadMultipart(t, caller.apiKey, path('?attach=true'), twoTextParts);

    expectProblem(response, 500);
    await expectNothingKept();
  });

  it('given a text file, the answer is 500 and no file row, content, event or link is kept', async () => {
    const { caller, contactId, expectNothingKept } = await blockedScene();

    const response = await postText(t, caller.apiKey, 'contact', contactId, { title: 'minutes', content: 'kept nowhere' });

    expectProblem(response, 500);
    await expectNothingKept();
  });

  it('given the folder is writable again, the same upload is stored: the failure was the move alone', async () => {
    const { tenant, caller, path, expectNothingKept } = await blockedScene();
    await expectNothingKept();

    const response = await uploadRaw(t, caller.apiKey, path(), 'some bytes', {
      'Content-Type': 'text/plain',
      'Content-Disposition': 'attachment; filename="moved.txt"',
    });

    expect(response.status).toBe(200);
    expect((await files.ofTenant(tenant.id)).map((file) => file.id)).toEqual([response.body.ID]);
  });
});
