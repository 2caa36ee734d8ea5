import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key is 256 random bits written as eight groups of eight hex digits
 * (`864FE52C-...`), like the keys of the CRM this API follows.
 */
export function generateApiKey(): string {
  const hex = randomBytes(32).toString('hex').toUpperCase();
  return hex.match(/.{8}/g)!.join('-');
}

/** Keys carry 256 bits of entropy, so a plain SHA-256 is as good as a slow hash here. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

const API_KEY_SHAPE = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{8}){7}$/;

/** `Authorization: <key>` or `Authorization: Bearer <key>`; anything else is no key at all. */
export function apiKeyFromAuthorization(header: string | undefined): string | null {
  if (header === undefined) return null;
  const value = header.trim();
  const key = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
  return API_KEY_SHAPE.test(key) ? key.toUpperCase() : null;
}
