import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoTenant } from '../../src/seed/demo-seed.service.js';
import { fixtures } from '../support/fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Debian's Chromium; .ci/run installs it when it is missing. */
const CHROMIUM = '/usr/bin/chromium';
/** Written on every run; docs/swagger-ui.png in the README is a copy of one. */
export const SCREENSHOT = 'test-results/swagger-ui.png';

describe.skipIf(!existsSync(CHROMIUM))('Swagger UI, for a first-time visitor', () => {
  let t: TestApp;
  let demo: DemoTenant;
  let baseUrl: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // As served with the embedded default database and the demo seed: the hint is in the page.
    t = await startTestApp({ databaseIsDefault: true, demoSeed: true });
    [demo] = await fixtures(t.app).demo();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await mkdir('test-results', { recursive: true });
    profile = await mkdtemp(join(tmpdir(), 'crm-files-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows the API with the demo key hint', async () => {
    await page.goto(`${baseUrl}/api/docs`);
    await page.locator('.information-container').waitFor();
    await expect(page.locator('.information-container').innerText()).resolves.toContain('Authorize');
    await expect(page.locator('.opblock-tag-section').allInnerTexts()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('Files'), expect.stringContaining('History')]),
    );
  });

  it('authorizes with a key, and keeps it across a reload', async () => {
    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input').first().fill(demo.users.member.apiKey);
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();
    await page.reload();
    await page.locator('.information-container').waitFor();
    await expect(page.locator('button.authorize.locked').count()).resolves.toBeGreaterThan(0);
  });

  it('executes "attach files" and shows the 200 answer with the new event', async () => {
    const operation = page.locator('#operations-Files-CrmFilesController_attach');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('input[placeholder="entityType"]').fill('contact');
    await operation.locator('input[placeholder="entityid"]').fill(String(demo.contacts.person));
    await operation.locator('textarea.body-param__text').fill(JSON.stringify({ fileids: demo.files.member }));
    await operation.locator('button.execute').click();
    const response = operation.locator('.live-responses-table .response').first();
    await response.waitFor();
    await expect(response.locator('.response-col_status').innerText()).resolves.toContain('200');
    const body = await response.locator('.response-col_description pre').first().innerText();
    expect(JSON.parse(body)).toMatchObject({
      Content: 'Files are uploaded',
      Category: { ID: -2 },
      Files: demo.files.member.map((ID) => ({ ID })),
    });
    await response.scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT, fullPage: false });

    // What the browser did is in the database: one event by the member, on that contact.
    const events = await t.dataSource.query(`SELECT created_by, contact_id, category_id FROM history_events WHERE tenant_id = ${demo.id}`);
    expect(events).toEqual([{ created_by: demo.users.member.id, contact_id: demo.contacts.person, category_id: -2 }]);
  });

  it('executes "list files" for that contact', async () => {
    const operation = page.locator('#operations-Files-CrmFilesController_list');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('input[placeholder="entityType"]').fill('contact');
    await operation.locator('input[placeholder="entityid"]').fill(String(demo.contacts.person));
    await operation.locator('button.execute').click();
    const response = operation.locator('.live-responses-table .response').first();
    await response.waitFor();
    await expect(response.locator('.response-col_status').innerText()).resolves.toContain('200');
    const body = JSON.parse(await response.locator('.response-col_description pre').first().innerText());
    expect(body.map((file: { ID: number }) => file.ID).sort()).toEqual([...demo.files.member].sort());
  });

  it('uploads a file picked in the form, and downloads it back', async () => {
    const upload = page.locator('#operations-Files-CrmFilesController_upload');
    await upload.locator('.opblock-summary').click();
    await upload.locator('button.try-out__btn').click();
    await upload.locator('input[placeholder="entityType"]').fill('contact');
    await upload.locator('input[placeholder="entityid"]').fill(String(demo.contacts.person));
    await upload
      .locator('input[type="file"]')
      .setInputFiles({ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from('Agreed.') });
    await upload.locator('button.execute').click();
    const uploaded = upload.locator('.live-responses-table .response').first();
    await uploaded.waitFor();
    await expect(uploaded.locator('.response-col_status').innerText()).resolves.toContain('200');
    const file = JSON.parse(await uploaded.locator('.response-col_description pre').first().innerText());
    expect(file).toMatchObject({ Name: 'minutes.txt', ContentType: 'text/plain', ContentLength: 7 });

    const download = page.locator('#operations-Files-CrmFilesController_download');
    await download.locator('.opblock-summary').click();
    await download.locator('button.try-out__btn').click();
    await download.locator('input[placeholder="fileid"]').fill(String(file.ID));
    await download.locator('button.execute').click();
    const downloaded = download.locator('.live-responses-table .response').first();
    await downloaded.waitFor();
    await expect(downloaded.locator('.response-col_status').innerText()).resolves.toContain('200');
    await expect(downloaded.innerText()).resolves.toMatch(/Agreed\.|Download file/);
  });
});
