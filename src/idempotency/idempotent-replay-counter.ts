/**
 * The hook for the metric of replayed answers (`crm_files_idempotent_replays_total`): provide this
 * token with anything that has `inc()` (a prom-client Counter does) and every replay counts.
 * Without a provider, replays are not counted.
 */
export const IDEMPOTENT_REPLAY_COUNTER = Symbol('IDEMPOTENT_REPLAY_COUNTER');

export interface IdempotentReplayCounter {
  inc(): void;
}
