import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * fast-check generators read from the served OpenAPI document: one request per operation,
 * its path, query, headers and body drawn from the document's own schemas, and mutations that
 * each break one rule of a valid request.
 */

type Schema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  method: string;
  template: string;
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  secured: boolean;
}

/** What a test sends: the body is text (JSON or raw) or bytes. */
export interface GeneratedRequest {
  method: string;
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The rule a mutation broke, or undefined for a request drawn from the document. */
  broken?: string;
  /** Whether the broken rule must make the answer a 4xx. */
  mustFail?: boolean;
}

/** The known ids a generated integer may pick, so that requests reach real rows as often as not. */
export interface IdPool {
  ids: number[];
}

export function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => {
        const op = operation as { parameters?: Parameter[]; requestBody?: Operation['requestBody']; security?: unknown[] };
        return {
          method: method.toUpperCase(),
          template,
          parameters: op.parameters ?? [],
          requestBody: op.requestBody,
          secured: (op.security ?? []).length > 0,
        };
      }),
  );
}

const MAX_STRING = 40;
const MAX_ARRAY = 5;

/** A value the schema allows (resolving `#/components/schemas` references in the document). */
export function valueFor(schema: Schema, document: OpenAPIObject, pool: IdPool, depth = 0): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return valueFor(document.components!.schemas![name] as Schema, document, pool, depth + 1);
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => valueFor(alternative, document, pool, depth + 1)));
  if (schema.nullable === true && Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null)
    return fc.constant(null);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -(2 ** 31);
      const max = typeof schema.maximum === 'number' ? Math.min(schema.maximum, Number.MAX_SAFE_INTEGER) : 2 ** 31 - 1;
      const inRange = pool.ids.filter((id) => id >= min && id <= max);
      const any = fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max });
      return inRange.length > 0 ? fc.oneof(fc.constantFrom(...inRange), any) : any;
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringFor(schema);
    case 'array': {
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.max(minLength, Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : MAX_ARRAY, MAX_ARRAY));
      return fc.array(valueFor(schema.items as Schema, document, pool, depth + 1), { minLength, maxLength });
    }
    case 'object':
    default: {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      if (depth > 4 || Object.keys(properties).length === 0) return fc.constant({});
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, property]) => [key, valueFor(property, document, pool, depth + 1)]),
      );
      return fc.record(model, { requiredKeys: (schema.required as string[] | undefined) ?? [] });
    }
  }
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  const minDate = new Date('1000-01-01T00:00:00Z');
  const maxDate = new Date('9999-12-31T23:59:59Z');
  if (schema.format === 'date-time') return fc.date({ min: minDate, max: maxDate, noInvalidDate: true }).map((date) => date.toISOString());
  if (schema.format === 'date')
    return fc.date({ min: minDate, max: maxDate, noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10));
  if (schema.format === 'uuid') return fc.uuid();
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = Math.max(minLength, Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : MAX_STRING, MAX_STRING));
  // Any Unicode, with control and format characters and markup now and then.
  return fc.oneof(
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    fc.string({ minLength, maxLength, unit: 'binary' }),
    fc
      .constantFrom('<p>x</p>', '../../etc/passwd', 'a\u202Egpj.exe', ' ', '\u0000', '%00', "x'; DROP TABLE files; --")
      .filter((text) => text.length >= minLength),
  );
}

/** A header value a client can send: printable ASCII. */
const headerText = fc.string({
  maxLength: MAX_STRING,
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
});

/** Values for the documented headers that have a form of their own. */
function headerFor(name: string): fc.Arbitrary<string> {
  switch (name.toLowerCase()) {
    case 'range':
      return fc.oneof(
        fc.tuple(fc.nat(100), fc.nat(100)).map(([start, end]) => `bytes=${start}-${end}`),
        fc.nat(100).map((start) => `bytes=${start}-`),
        fc.nat(100).map((suffix) => `bytes=-${suffix}`),
        headerText,
      );
    case 'content-disposition':
      return dispositionFor();
    default:
      return headerText;
  }
}

function dispositionFor(): fc.Arbitrary<string> {
  const name = fc.string({ minLength: 1, maxLength: MAX_STRING, unit: 'grapheme' });
  return fc.oneof(
    name.map((text) => `attachment; filename*=UTF-8''${encodeURIComponent(text)}`),
    headerText.map((text) => `attachment; filename="${text.replace(/["\\]/g, '')}"`),
    headerText,
  );
}

/** A multipart/form-data body of one to three file parts under any field names. */
function multipartFor(): fc.Arbitrary<{ contentType: string; body: Buffer }> {
  const part = fc.record({
    field: fc.stringMatching(/^[A-Za-z0-9_[\]-]{1,12}$/),
    filename: fc.string({ minLength: 0, maxLength: MAX_STRING, unit: 'grapheme' }).map((text) => text.replace(/["\r\n\\]/g, '')),
    contentType: fc.constantFrom('text/plain', 'application/octet-stream', 'text/html', 'image/svg+xml'),
    content: fc.uint8Array({ maxLength: 64 }),
  });
  return fc.array(part, { minLength: 1, maxLength: 3 }).map((parts) => {
    const boundary = 'property-boundary-7d3f';
    const chunks: Buffer[] = [];
    for (const p of parts) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"; filename="${p.filename}"\r\nContent-Type: ${p.contentType}\r\n\r\n`,
          'utf8',
        ),
      );
      chunks.push(Buffer.from(p.content), Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
  });
}

/** A request the document allows for this operation. */
export function requestFor(operation: Operation, document: OpenAPIObject, pool: IdPool, apiKey: string): fc.Arbitrary<GeneratedRequest> {
  const of = (where: Parameter['in']) => operation.parameters.filter((parameter) => parameter.in === where);
  const path = fc.record(
    Object.fromEntries(of('path').map((p) => [p.name, valueFor(p.schema ?? { type: 'string' }, document, pool).map(String)])),
  ) as fc.Arbitrary<Record<string, string>>;
  const query = fc.record(
    Object.fromEntries(of('query').map((p) => [p.name, valueFor(p.schema ?? { type: 'string' }, document, pool).map(String)])),
    {
      requiredKeys: of('query')
        .filter((p) => p.required)
        .map((p) => p.name),
    },
  ) as fc.Arbitrary<Record<string, string>>;
  const headers = fc.record(Object.fromEntries(of('header').map((p) => [p.name, headerFor(p.name)])), { requiredKeys: [] }) as fc.Arbitrary<
    Record<string, string>
  >;
  const content = operation.requestBody?.content ?? {};
  let body: fc.Arbitrary<{ contentType?: string; body?: string | Buffer }> = fc.constant({});
  if (content['application/json']?.schema) {
    body = valueFor(content['application/json'].schema, document, pool).map((value) => ({
      contentType: 'application/json',
      body: JSON.stringify(value),
    }));
  } else if (content['multipart/form-data']) {
    const raw = fc.record({
      contentType: fc.constantFrom('application/octet-stream', 'text/plain', 'text/html', 'application/json', 'image/png'),
      body: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    });
    body = fc.oneof(multipartFor(), raw);
  }
  return fc.record({ path, query, headers, body }).map(({ path: p, query: q, headers: h, body: b }) => {
    const allHeaders: Record<string, string> = { ...h };
    if (operation.secured) allHeaders.Authorization = apiKey;
    if (b.contentType) allHeaders['Content-Type'] = b.contentType;
    // A multipart body names its files itself; the header is for raw bodies.
    if (b.contentType?.startsWith('multipart/')) delete allHeaders['Content-Disposition'];
    return { method: operation.method, path: p, query: q, headers: allHeaders, body: b.body };
  });
}

/** One rule of a request broken at a time; the answer must be a 4xx where `mustFail`. */
export function mutationsOf(operation: Operation): fc.Arbitrary<(request: GeneratedRequest) => GeneratedRequest> {
  type Mutation = (request: GeneratedRequest) => GeneratedRequest;
  const mutations: fc.Arbitrary<Mutation>[] = [];
  const integerPath = operation.parameters.filter((p) => p.in === 'path' && p.schema?.type === 'integer');
  const patternPath = operation.parameters.filter((p) => p.in === 'path' && typeof p.schema?.pattern === 'string');
  const queries = operation.parameters.filter((p) => p.in === 'query');
  const jsonBody = Boolean(operation.requestBody?.content['application/json']);

  if (operation.secured) {
    mutations.push(
      fc.constant((r: GeneratedRequest) => ({ ...r, headers: without(r.headers, 'Authorization'), broken: 'no API key', mustFail: true })),
    );
    mutations.push(
      headerText.map((key) => (r: GeneratedRequest) => ({
        ...r,
        headers: { ...r.headers, Authorization: `x${key}` },
        broken: 'a wrong API key',
        mustFail: true,
      })),
    );
  }
  for (const p of integerPath) {
    mutations.push(
      fc.constantFrom('0', '-1', '2147483648', '1e3', '01', 'abc', '1.5', '%20', '9'.repeat(30)).map((value) => (r: GeneratedRequest) => ({
        ...r,
        path: { ...r.path, [p.name]: value },
        broken: `${p.name} is not an id`,
        mustFail: true,
      })),
    );
  }
  for (const p of patternPath) {
    mutations.push(
      fc.constantFrom('contacts', 'file', 'c0ntact', 'contact%00', '%20contact').map((value) => (r: GeneratedRequest) => ({
        ...r,
        path: { ...r.path, [p.name]: value },
        broken: `${p.name} is not one of the documented values`,
        mustFail: true,
      })),
    );
  }
  for (const p of queries) {
    mutations.push(
      fc.constantFrom('x', '-1', '1.5', '', '0x10', 'true', '9'.repeat(30)).map((value) => (r: GeneratedRequest) => ({
        ...r,
        query: { ...r.query, [p.name]: value },
        broken: `${p.name}=${JSON.stringify(value)}`,
      })),
    );
  }
  if (jsonBody) {
    const json = (r: GeneratedRequest) => JSON.parse(String(r.body)) as Record<string, unknown>;
    const withBody = (r: GeneratedRequest, body: string, broken: string, contentType = 'application/json'): GeneratedRequest => ({
      ...r,
      body,
      headers: { ...r.headers, 'Content-Type': contentType },
      broken,
      mustFail: true,
    });
    mutations.push(
      fc.constant((r: GeneratedRequest) => withBody(r, String(r.body).slice(0, -1), 'truncated JSON')),
      fc
        .constantFrom('[]', '1', '"text"', 'null', '', '{}x')
        .map((body) => (r: GeneratedRequest) => withBody(r, body, `body ${JSON.stringify(body)}`)),
      fc
        .string({ minLength: 1, maxLength: 12 })
        .map((key) => (r: GeneratedRequest) => withBody(r, JSON.stringify({ ...json(r), [`unknown_${key}`]: 1 }), 'an unknown property')),
      fc
        .constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
          'application/json; charset=x-evil',
        )
        .map((type) => (r: GeneratedRequest) => withBody(r, String(r.body), `Content-Type ${type}`, type)),
      fc
        .integer({ min: 17, max: 5_000 })
        .map((depth) => (r: GeneratedRequest) => withBody(r, `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`, `nested ${depth} deep`)),
      fc
        .tuple(fc.nat(), fc.constantFrom<unknown>(null, 'x', -1, 1.5, true, [], {}, [null], 2 ** 31))
        .map(([index, value]) => (r: GeneratedRequest) => {
          const body = json(r);
          const keys = Object.keys(body);
          if (keys.length === 0) return { ...r, broken: 'nothing to retype' };
          const key = keys[index % keys.length];
          return { ...r, body: JSON.stringify({ ...body, [key]: value }), broken: `${key} = ${JSON.stringify(value)}` };
        }),
      fc.nat().map((index) => (r: GeneratedRequest) => {
        const body = json(r);
        const keys = Object.keys(body);
        if (keys.length === 0) return { ...r, broken: 'nothing to drop' };
        const key = keys[index % keys.length];
        return { ...r, body: JSON.stringify(without(body, key)), broken: `without ${key}` };
      }),
    );
  }
  if (mutations.length === 0)
    mutations.push(
      fc.constant((r: GeneratedRequest) => ({ ...r, query: { ...r.query, unexpected: '1' }, broken: 'an unknown query parameter' })),
    );
  return fc.oneof(...mutations);
}

function without<T extends Record<string, unknown>>(record: T, key: string): T {
  const { [key]: _dropped, ...rest } = record;
  return rest as T;
}
