/**
 * The id rules shared by paths, query parameters, bodies and the CLI. Record, file and event ids
 * are positive 32-bit integers; user ids are UUIDs.
 */

/** The largest id: 2^31 - 1, what an INT column holds. */
export const MAX_ID = 2_147_483_647;

export const INT32_MIN = -2_147_483_648;

/** How an id is documented in the OpenAPI document. */
export const ID_SCHEMA = { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_ID } as const;

/** An id written in plain decimal: 1 to MAX_ID, no sign, no leading zero, no exponent. */
export function isPlainId(value: string): boolean {
  return /^[1-9][0-9]{0,9}$/.test(value) && Number(value) <= MAX_ID;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user id: a UUID in any letter case (stored and compared in lower case). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
