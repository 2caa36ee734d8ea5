import { expect } from 'vitest';
import type { fixtures } from './fixtures.js';
import type { TestApp } from './test-app.js';

/** Requests of the History API and the demo scenes its tests share. */

export type Demo = Awaited<ReturnType<ReturnType<typeof fixtures>['demo']>>[0];
export type Query = Record<string, string | number>;
export type EventBody = { ID: number; Content: string; Files: { ID: number }[]; [key: string]: unknown };

export const eventIds = (body: EventBody[]) => body.map((item) => item.ID);

/** The History API of a running test app. */
export function historyApi(t: TestApp) {
  const post = (apiKey: string, body: unknown) =>
    t
      .http()
      .post('/api/2.0/crm/history')
      .set('Authorization', apiKey)
      .send(body as object);
  const filter = (apiKey: string, query: Query = {}) =>
    t.http().get('/api/2.0/crm/history/filter').query(query).set('Authorization', apiKey);
  const remove = (apiKey: string, id: number | string) => t.http().delete(`/api/2.0/crm/history/${id}`).set('Authorization', apiKey);

  /** The tenant's categories by title, read through the API. */
  const categoryIds = async (apiKey: string): Promise<Record<string, number>> => {
    const response = await t.http().get('/api/2.0/crm/history/category').set('Authorization', apiKey);
    expect(response.status).toBe(200);
    return Object.fromEntries(response.body.map((category: { ID: number; Title: string }) => [category.Title, category.ID]));
  };

  /** Posts an event that must succeed, and answers it. */
  const event = async (apiKey: string, body: Record<string, unknown>): Promise<EventBody> => {
    const response = await post(apiKey, body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  /** One Note by the admin on every record of the demo tenant. */
  const eventOnEveryRecord = async (demo: Demo) => {
    const { Note } = await categoryIds(demo.users.admin.apiKey);
    const key = demo.users.admin.apiKey;
    const on = async (target: Record<string, unknown>, content: string) => (await event(key, { ...target, categoryId: Note, content })).ID;
    return {
      person: await on({ contactId: demo.contacts.person }, 'on person'),
      company: await on({ contactId: demo.contacts.company }, 'on company'),
      readOnlyCompany: await on({ contactId: demo.contacts.readOnlyCompany }, 'on read-only company'),
      privatePerson: await on({ contactId: demo.contacts.privatePerson }, 'on private person'),
      publicOpportunity: await on({ entityType: 'opportunity', entityId: demo.opportunities.public }, 'on public opportunity'),
      privateOpportunity: await on({ entityType: 'opportunity', entityId: demo.opportunities.private }, 'on private opportunity'),
      publicCase: await on({ entityType: 'case', entityId: demo.cases.public }, 'on public case'),
      privateCase: await on({ entityType: 'case', entityId: demo.cases.private }, 'on private case'),
    };
  };
  return { post, filter, remove, categoryIds, event, eventOnEveryRecord };
}
