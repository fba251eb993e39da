/** Things a merchant must look at (paid at the provider but not in the shop, double payments), shown by the plugin. */
export interface Alert {
  id: number;
  at: number;
  merchantOrderId: string;
  sessionId: string | null;
  code: 'paid_not_in_shop' | 'double_payment' | 'order_changed_by_hand' | 'dead_letter';
  message: string;
  resolved: boolean;
}

export interface AlertStore {
  raise(alert: Omit<Alert, 'id' | 'resolved'>): void;
  listOpen(limit: number): Alert[];
  /** Marks an open alert as dealt with (a person dismissed it in the plugin): the alert, or null when none is open with that id. */
  resolve(id: number): Alert | null;
}
