/** One invalid field of a request, as listed in a problem body's `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem body as this service sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** How many more invalid fields there were than `errors` lists. */
  errorsOmitted?: number;
  missingFileIds?: number[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types are relative URIs naming the error code; the README lists them. */
export function problemType(code: string): string {
  return `/problems/${code}`;
}
