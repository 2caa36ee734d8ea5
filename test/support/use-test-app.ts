import { afterAll, beforeAll, expect } from 'vitest';
import type { AppConfig } from '../../src/config/app-config.js';
import { fixtures } from './fixtures.js';
import { historyRows } from './history-rows.js';
import { fileRows } from './stored-files.js';
import { startTestApp, type TestApp } from './test-app.js';

export type Fixtures = ReturnType<typeof fixtures>;
export type HistoryRows = ReturnType<typeof historyRows>;
export type FileRows = ReturnType<typeof fileRows>;

export interface TestScene {
  /** The running application. */
  t: TestApp;
  /** Factories for tenants, users, records and files. */
  f: Fixtures;
  /** The history rows as the database holds them. */
  rows: HistoryRows;
  /** The file rows as the database holds them. */
  files: FileRows;
  /** POST /{type}/{id}/files with this key and body; answers the response. */
  attach: (apiKey: string, type: string, id: number | string, body: object) => ReturnType<ReturnType<TestApp['http']>['post']>;
  /** Attaches files that must attach (200), and answers the new event's id. */
  attached: (apiKey: string, type: string, id: number | string, fileids: number[]) => Promise<number>;
}

/**
 * One real application for the tests of a describe block: started before them, closed after
 * them. The objects returned are filled in `beforeAll`, so destructure them at the top of the
 * block and use them inside the tests.
 */
export function useTestApp(overrides: Partial<AppConfig> = {}): TestScene {
  const t = {} as TestApp;
  const f = {} as Fixtures;
  const rows = {} as HistoryRows;
  const files = {} as FileRows;
  beforeAll(async () => {
    Object.assign(t, await startTestApp(overrides));
    Object.assign(f, fixtures(t.app));
    Object.assign(rows, historyRows(t.dataSource));
    Object.assign(files, fileRows(t.dataSource));
  });
  afterAll(() => t.close?.());

  const attach: TestScene['attach'] = (apiKey, type, id, body) =>
    t.http().post(`/api/2.0/crm/${type}/${id}/files`).set('Authorization', apiKey).send(body);
  const attached: TestScene['attached'] = async (apiKey, type, id, fileids) => {
    const response = await attach(apiKey, type, id, { fileids });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.ID as number;
  };
  return { t, f, rows, files, attach, attached };
}
