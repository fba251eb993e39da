import type { AlarmCode } from '../domain/webhook-alarms';

/** Things a merchant must look at (paid at the provider but not in the shop, double payments), shown by the plugin. */
export interface Alert {
  id: number;
  at: number;
  merchantOrderId: string;
  sessionId: string | null;
  /** `mode_mismatch`: an event for a known session was ignored because it came from the other mode (live vs test). */
  code: 'paid_not_in_shop' | 'double_payment' | 'order_changed_by_hand' | 'dead_letter' | 'mode_mismatch' | AlarmCode;
  message: string;
  resolved: boolean;
}

export interface AlertStore {
  raise(alert: Omit<Alert, 'id' | 'resolved'>): void;
  listOpen(limit: number): Alert[];
  /** The latest alert with this code raised for the session, open or dismissed; null when there never was one. */
  latestFor(sessionId: string, code: Alert['code']): Alert | null;
  /** Marks an open alert as dealt with (a person dismissed it in the plugin): the alert, or null when none is open with that id. */
  resolve(id: number): Alert | null;
}
