import { ConfigError } from '../../config/config-error.js';

/** The delays when WEBHOOK_RETRY_SCHEDULE is unset: about a day and a half in all. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const HOUR_MS = UNIT_MS.h;

// A delay longer than a week is a typo (10000h), not a policy: the event would be stale long
// before it arrives, and the subscription would stay enabled for months behind one failing event.
export const MAX_RETRY_DELAY_MS = 7 * 24 * HOUR_MS;
// Every attempt is a row in the delivery log; a hundred already keeps a broken target enabled and
// retried for as long as anyone would want, and bounds what one failing event can write.
export const MAX_RETRY_DELAYS = 100;
// A receiver's Retry-After is honoured, but a day at most: it must not park a subscription for good.
export const MAX_RETRY_AFTER_MS = 24 * HOUR_MS;
// Spreads the retries of many events that failed together (a receiver that was down for a minute).
const JITTER_FRACTION = 0.1;

const EXPECTED = 'a comma-separated list of positive whole durations with a unit (ms, s, m or h), e.g. "5s,5m,2h"';

/** The delays in ms of a retry schedule setting such as `5s,5m,30m`; unset or blank → the default. */
export function parseRetrySchedule(name: string, raw: string | undefined): number[] {
  const text = raw === undefined || raw.trim() === '' ? DEFAULT_RETRY_SCHEDULE : raw;
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_RETRY_DELAYS) {
    throw new ConfigError(name, `must be at most ${MAX_RETRY_DELAYS} delays, got ${entries.length}`);
  }
  return entries.map((entry) => {
    const match = /^([1-9]\d*)(ms|s|m|h)$/.exec(entry);
    if (!match) throw new ConfigError(name, `must be ${EXPECTED}, got "${raw}"`);
    const delayMs = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (delayMs > MAX_RETRY_DELAY_MS) {
      throw new ConfigError(name, `must be delays of at most 7 days (168h), got "${entry}"`);
    }
    return delayMs;
  });
}

/**
 * The wait before the next attempt once `failedAttempts` attempts (1 or more) have failed, or
 * null when the schedule is exhausted: 1 + schedule.length attempts in all. The scheduled delay
 * plus up to 10% jitter, and at least the receiver's Retry-After (capped at 24 h).
 */
export function retryDelayMs(
  schedule: readonly number[],
  failedAttempts: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number | null {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new RangeError(`failedAttempts must be a whole number of at least 1, got ${failedAttempts}`);
  }
  if (failedAttempts > schedule.length) return null;
  const scheduled = schedule[failedAttempts - 1];
  const jittered = scheduled + Math.floor(random() * scheduled * JITTER_FRACTION);
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
// RFC 9110 §5.6.7: the IMF-fixdate that senders use, and the two obsolete forms recipients must read.
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) (${MONTH}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
const RFC_850 = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${MONTH})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`,
);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ( \\d|\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`);

/** A Retry-After header (delta-seconds or an HTTP-date) as ms from `now`; a date in the past → 0; anything else → null. */
export function parseRetryAfter(header: string | undefined, now: Date): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) {
    const ms = Number(value) * 1000;
    return Number.isFinite(ms) ? ms : null;
  }
  const at = httpDate(value, now);
  return at === null ? null : Math.max(0, at - now.getTime());
}

function httpDate(value: string, now: Date): number | null {
  let match = IMF_FIXDATE.exec(value);
  if (match) return utc(Number(match[3]), match[2], match[1], match.slice(4, 7));
  match = RFC_850.exec(value);
  if (match) {
    // RFC 9110: a two-digit year more than 50 years in the future is the most recent past one.
    let year = Math.floor(now.getUTCFullYear() / 100) * 100 + Number(match[3]);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    return utc(year, match[2], match[1], match.slice(4, 7));
  }
  match = ASCTIME.exec(value);
  if (match) return utc(Number(match[6]), match[1], match[2].trim(), match.slice(3, 6));
  return null;
}

/** The instant, or null for a date that does not exist (31 Feb, 25:00): Date.UTC would roll it over. */
function utc(year: number, monthName: string, day: string, [hours, minutes, seconds]: string[]): number | null {
  const month = MONTHS.indexOf(monthName);
  const at = Date.UTC(year, month, Number(day), Number(hours), Number(minutes), Number(seconds));
  const date = new Date(at);
  const exists =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month &&
    date.getUTCDate() === Number(day) &&
    date.getUTCHours() === Number(hours) &&
    date.getUTCMinutes() === Number(minutes) &&
    date.getUTCSeconds() === Number(seconds);
  return exists ? at : null;
}
