/**
 * Attaching files with a client typed from openapi.json (openapi-typescript + openapi-fetch).
 *
 *   npm run openapi          # regenerates openapi.json and crm-files-api.d.ts
 *
 * The test suite compiles this file and runs it against a live server, so it cannot rot.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './crm-files-api.js';

export type RelationshipEvent = components['schemas']['RelationshipEventDto'];

export async function attachFiles(
  baseUrl: string,
  apiKey: string,
  entityType: 'contact' | 'opportunity' | 'case',
  entityId: number,
  fileIds: number[],
): Promise<RelationshipEvent> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: apiKey } });
  const { data, error, response } = await client.POST('/api/2.0/crm/{entityType}/{entityid}/files', {
    params: { path: { entityType, entityid: entityId } },
    body: { fileids: fileIds },
  });
  if (error) throw new Error(`Attaching failed with ${response.status}: ${error.title}: ${error.detail}`);
  return data;
}
