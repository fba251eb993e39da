import type { Alarm, AlarmFacts } from '../domain/webhook-alarms';

/** Webhook alarms kept as alerts (so GET /v1/alerts and the plugin show them), one open row per alarm key. */
export interface AlarmStore {
  /** Keys of the alarms open now. */
  openKeys(): Set<string>;
  raise(alarm: Alarm, at: number): void;
  /** Closes the open alarm with this key (its cause is gone). */
  clear(key: string): void;
  /** What the alarm rules look at, gathered from the inbox, sessions and outbox since `since`. */
  facts(since: number): AlarmFacts;
}
