import { ConfigError } from './config-error.js';

/** The environment as read at start-up: every setting goes through the readers below. */
export type Env = Record<string, string | undefined>;

/** A value with surrounding blanks removed; an empty value counts as unset. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

/** An absolute URL with one of the given protocols (e.g. `['http:', 'https:']`), or the error that names the variable. */
export function urlOf(name: string, raw: string, protocols: readonly string[], expected: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be ${expected}, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol) || url.hostname === '') {
    throw new ConfigError(name, `must be ${expected}, got "${raw}"`);
  }
  return url;
}
