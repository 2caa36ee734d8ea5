import type { OpenAPIObject } from '@nestjs/swagger';
import type { ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/openapi/openapi-document.js';
import { ShareType } from '../../src/records/entities/share-type.js';
import { WebhookEvent } from '../../src/webhooks/entities/webhook-event.entity.js';
import { componentValidators } from '../support/openapi-contract.js';
import { postText, uploadMultipart, uploadPath, uploadRaw } from '../support/upload.js';
import { useTestApp } from '../support/use-test-app.js';

/** The schema of the OpenAPI document that documents each event type's delivery body. */
const SCHEMA_OF_TYPE: Record<string, string> = {
  'file.uploaded': 'WebhookEventFileUploaded',
  'files.attached': 'WebhookEventFilesAttached',
  'history.created': 'WebhookEventHistoryCreated',
  'history.deleted': 'WebhookEventHistoryDeleted',
  'file.deleted': 'WebhookEventFileDeleted',
};

/** For each type, one whose `data` has other keys (files.attached and history.created share theirs). */
const ANOTHER_SHAPE: Record<string, string> = {
  'file.uploaded': 'file.deleted',
  'files.attached': 'file.uploaded',
  'history.created': 'history.deleted',
  'history.deleted': 'files.attached',
  'file.deleted': 'history.created',
};

type Body = { id: string; type: string; data: Record<string, unknown> } & Record<string, unknown>;

/**
 * The delivery bodies the outbox holds after real changes through the API (no worker needed:
 * the body is written with the change) validate against the schemas the OpenAPI document
 * publishes for them, so types generated from the document fit what receivers get.
 */
describe('webhook delivery bodies against the OpenAPI document', () => {
  const { t, f, attached } = useTestApp();
  let validator: (name: string) => ValidateFunction;
  let tenantId: number;
  let bodies: Body[];

  const errorsOf = (name: string, body: unknown) => {
    const validate = validator(name);
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  };

  beforeAll(async () => {
    validator = componentValidators(buildOpenApiDocument(t.app, t.config) as OpenAPIObject);
    ({ tenantId } = await f.tenant());
    const member = await f.user(tenantId, { name: 'Event Maker' });
    const api = t.http();
    // Records of every kind, a private one included, so Contact, Entity, AccessList and Currency take every form.
    const contactId = await f.contact(tenantId, { currency: 'USD' });
    const privateContactId = await f.contact(tenantId, { share: ShareType.None, access: [member.id] });
    const opportunityId = await f.entity('opportunity', tenantId, member.id);
    const caseId = await f.entity('case', tenantId, member.id, { access: [member.id] });

    const raw = await uploadRaw(t, member.apiKey, uploadPath('contact', contactId), 'draft', {
      'Content-Type': 'text/plain',
      'Content-Disposition': 'attachment; filename="draft.txt"',
    });
    expect(raw.status).toBe(200);
    const onContact = await attached(member.apiKey, 'contact', privateContactId, [raw.body.ID]);
    const multipart = await uploadMultipart(t, member.apiKey, uploadPath('opportunity', opportunityId, '?attach=true'), [
      { field: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'a' },
      { field: 'file', filename: 'b.bin', contentType: 'application/octet-stream', content: 'b' },
    ]);
    expect(multipart.status).toBe(200);
    const text = await postText(t, member.apiKey, 'case', caseId, { title: 'Minutes', content: '<p>We agreed.</p>' });
    expect(text.status).toBe(200);
    const note = await api
      .post('/api/2.0/crm/history')
      .set(member.auth)
      .send({ content: 'Called', categoryId: -1, contactId, fileId: [text.body.ID] });
    expect(note.status).toBe(200);
    expect((await api.delete(`/api/2.0/crm/history/${onContact}`).set(member.auth)).status).toBe(200);
    expect((await api.delete(`/api/2.0/crm/files/${multipart.body.ID}`).set(member.auth)).status).toBe(200);

    const rows = await t.dataSource.getRepository(WebhookEvent).find({ where: { tenantId }, order: { id: 'ASC' } });
    bodies = rows.map((row) => {
      const body = JSON.parse(row.payload) as Body;
      // The columns the worker reads agree with the body it sends.
      expect({ id: body.id, type: body.type }).toEqual({ id: row.publicId, type: row.type });
      return body;
    });
  });

  it('the changes wrote events of every type', () => {
    expect(bodies.map((body) => body.type)).toEqual([
      'file.uploaded',
      'files.attached',
      'file.uploaded',
      'file.uploaded',
      'files.attached',
      'file.uploaded',
      'files.attached',
      'history.created',
      'history.deleted',
      'file.deleted',
      'file.deleted',
    ]);
  });

  it('every body validates against WebhookEvent and against the schema of its type', () => {
    for (const body of bodies) {
      expect(errorsOf('WebhookEvent', body), body.type).toEqual([]);
      expect(errorsOf(SCHEMA_OF_TYPE[body.type], body), body.type).toEqual([]);
    }
  });

  it('the schemas are exact: a body with a key too many or too few, or under another type, does not validate', () => {
    for (const type of Object.keys(SCHEMA_OF_TYPE)) {
      const body = bodies.find((candidate) => candidate.type === type)!;
      const { actor: _actor, ...withoutActor } = body;
      const [firstDataKey] = Object.keys(body.data);
      const { [firstDataKey]: _dropped, ...dataWithoutKey } = body.data;
      for (const broken of [
        { ...body, extra: 1 },
        withoutActor,
        { ...body, data: { ...body.data, Extra: 1 } },
        { ...body, data: dataWithoutKey },
        { ...body, type: ANOTHER_SHAPE[type] },
        { ...body, id: 'not-an-event-id' },
        { ...body, tenantId: String(body.tenantId) },
      ]) {
        expect(errorsOf('WebhookEvent', broken), `${type}: ${JSON.stringify(broken).slice(0, 120)}`).not.toEqual([]);
      }
    }
  });
});
