import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config-error.js';
import { parseRetryAfter, parseRetrySchedule, retryDelayMs } from './retry-schedule.js';

const NAME = 'WEBHOOK_RETRY_SCHEDULE';
const S = 1_000;
const M = 60 * S;
const H = 60 * M;

function rejectionOf(raw: string): ConfigError {
  try {
    parseRetrySchedule(NAME, raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected "${raw}" to be rejected`);
}

describe('parseRetrySchedule', () => {
  it('is the documented default when unset or blank', () => {
    const documented = [5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H];
    expect(parseRetrySchedule(NAME, undefined)).toEqual(documented);
    expect(parseRetrySchedule(NAME, '')).toEqual(documented);
    expect(parseRetrySchedule(NAME, '  ')).toEqual(documented);
  });

  it('reads every unit, with blanks around the entries', () => {
    expect(parseRetrySchedule(NAME, '250ms, 3s ,2m,1h')).toEqual([250, 3 * S, 2 * M, H]);
    expect(parseRetrySchedule(NAME, ' 1s ')).toEqual([S]);
  });

  it('accepts delays up to 7 days and lists up to 100 delays', () => {
    expect(parseRetrySchedule(NAME, '168h')).toEqual([168 * H]);
    expect(parseRetrySchedule(NAME, Array(100).fill('1s').join(','))).toHaveLength(100);
  });

  it.each([
    ['5s,,5m', 'an empty entry'],
    ['5s,', 'a trailing comma'],
    ['0s', 'zero'],
    ['5', 'no unit'],
    ['1.5s', 'a fraction'],
    ['5d', 'another unit'],
    ['5S', 'an upper-case unit'],
    ['-5s', 'a negative delay'],
    ['5 s', 'a blank inside an entry'],
    ['5s;5m', 'another separator'],
  ])('refuses "%s" (%s), naming the variable and the value', (raw) => {
    const error = rejectionOf(raw);
    expect(error.variable).toBe(NAME);
    expect(error.message).toBe(
      `${NAME} must be a comma-separated list of positive whole durations with a unit (ms, s, m or h), e.g. "5s,5m,2h", got "${raw}"`,
    );
  });

  it('refuses a delay over 7 days and more than 100 delays', () => {
    expect(rejectionOf('5s,169h').message).toBe(`${NAME} must be delays of at most 7 days (168h), got "169h"`);
    expect(rejectionOf('99999999999999999999h').message).toContain('at most 7 days');
    expect(rejectionOf(Array(101).fill('1s').join(',')).message).toBe(`${NAME} must be at most 100 delays, got 101`);
  });
});

describe('retryDelayMs', () => {
  const schedule = [5 * S, 5 * M, 30 * M];
  const noJitter = () => 0;

  it('waits the scheduled delay after each failed attempt, then gives up: 1 + schedule.length attempts', () => {
    expect(retryDelayMs(schedule, 1, null, noJitter)).toBe(5 * S);
    expect(retryDelayMs(schedule, 2, null, noJitter)).toBe(5 * M);
    expect(retryDelayMs(schedule, 3, null, noJitter)).toBe(30 * M);
    expect(retryDelayMs(schedule, 4, null, noJitter)).toBeNull();
    expect(retryDelayMs([], 1, null, noJitter)).toBeNull();
  });

  it('adds up to 10% jitter, never less than the schedule', () => {
    expect(retryDelayMs(schedule, 2, null, () => 0.5)).toBe(5 * M + 15 * S);
    expect(retryDelayMs(schedule, 2, null, () => 0.999_999)).toBe(5 * M + 30 * S - 1);
    for (let i = 0; i < 1000; i++) {
      const delay = retryDelayMs(schedule, 1, null)!;
      expect(delay).toBeGreaterThanOrEqual(5 * S);
      expect(delay).toBeLessThan(5.5 * S);
    }
  });

  it("waits at least the receiver's Retry-After, at most 24 h of it", () => {
    expect(retryDelayMs(schedule, 1, 60 * S, noJitter)).toBe(60 * S);
    expect(retryDelayMs(schedule, 2, 60 * S, noJitter)).toBe(5 * M);
    expect(retryDelayMs(schedule, 1, 30 * H, noJitter)).toBe(24 * H);
    expect(retryDelayMs([48 * H], 1, 30 * H, noJitter)).toBe(48 * H);
  });

  it('does not retry past the schedule, whatever Retry-After says', () => {
    expect(retryDelayMs(schedule, 4, 5 * S, noJitter)).toBeNull();
  });

  it('refuses a count of failed attempts below 1', () => {
    expect(() => retryDelayMs(schedule, 0, null)).toThrow(RangeError);
    expect(() => retryDelayMs(schedule, 1.5, null)).toThrow(RangeError);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120 * S);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date in each of its three forms, as the time left from now', () => {
    expect(parseRetryAfter('Tue, 10 Mar 2026 12:01:30 GMT', now)).toBe(90 * S);
    expect(parseRetryAfter('Tuesday, 10-Mar-26 13:00:00 GMT', now)).toBe(H);
    expect(parseRetryAfter('Tue Mar 10 12:00:05 2026', now)).toBe(5 * S);
    expect(parseRetryAfter('Tue Mar  1 12:00:00 2026', new Date('2026-02-28T12:00:00Z'))).toBe(24 * H);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Mon, 09 Mar 2026 12:00:00 GMT', now)).toBe(0);
  });

  it.each([
    undefined,
    '',
    'soon',
    '-5',
    '1.5',
    '1e3',
    'Tue, 31 Feb 2026 12:00:00 GMT',
    'Tue, 10 Mar 2026 12:00:00',
    '2026-03-10T12:01:00Z',
  ])('ignores %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeNull();
  });
});
