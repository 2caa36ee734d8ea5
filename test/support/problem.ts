import { expect } from 'vitest';
import type { Response } from 'supertest';

/** Asserts an RFC 9457 problem answer (see docs/contract.md, "Errors") with the given status, and returns its body. */
export function expectProblem(response: Response, status: number): ProblemResponseBody {
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { status } });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json\b/);
  expect(response.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/\S/),
      title: expect.stringMatching(/\S/),
      status,
      detail: expect.stringMatching(/\S/),
    }),
  );
  return response.body as ProblemResponseBody;
}

/** A 400 whose `errors` lists, among others, each of the given fields. */
export function expectInvalidFields(response: Response, ...fields: string[]): ProblemResponseBody {
  const body = expectProblem(response, 400);
  expect(body.errors, 'a 400 for a field lists it in errors').toBeInstanceOf(Array);
  for (const error of body.errors ?? []) expect(error).toEqual({ field: expect.any(String), message: expect.stringMatching(/\S/) });
  const named = body.errors!.map((error) => error.field);
  expect(named).toEqual(expect.arrayContaining(fields));
  expect(named, 'errors has one entry per invalid field').toEqual([...new Set(named)]);
  return body;
}

/** Nothing internal ever reaches a caller: no stack trace, no SQL, no filesystem path. */
export function expectNoInternals(response: Response): void {
  const text = response.text ?? '';
  expect(text).not.toMatch(/\bat \S+ \(|\(?\S+\.[cm]?[jt]s:\d+:\d+\)?/);
  expect(text).not.toMatch(/\bSELECT\b|\bINSERT\b|\bsqlite\b|\bmysql\b|ER_[A-Z_]+|SQLITE_[A-Z]+/i);
  expect(text).not.toContain('/work/');
  expect(text).not.toContain('node_modules');
  expect(text).not.toMatch(/\/tmp\/|\/src\/|\/dist\//);
}

export interface ProblemResponseBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
  missingFileIds?: number[];
}

/** A problem body with the record id taken out, to compare two 404s for different ids. */
export const withoutId = (body: ProblemResponseBody, id: number) => ({ ...body, detail: body.detail.split(String(id)).join('<id>') });
