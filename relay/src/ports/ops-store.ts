/**
 * What an operator looks at and does by hand: the dashboard, /readyz, /metrics and the command-line tools. Kept
 * apart from the stores the payment path uses, so watching the relay never changes how it decides.
 */
export interface SessionSummary {
  id: string;
  merchantOrderId: string;
  provider: string;
  status: string;
  amountMinor: number;
  currency: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

export interface DeadLetter {
  id: number;
  orderKey: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface OpsStore {
  /** When the oldest command still waiting in the outbox was queued, or null when nothing waits. */
  oldestPendingAt(): number | null;
  sessionsByStatus(): Record<string, number>;
  recentSessions(limit: number): SessionSummary[];
  /** Sessions of one order, newest first. */
  sessionsOfOrder(merchantOrderId: string): SessionSummary[];
  deadLetters(limit: number): DeadLetter[];
  /**
   * Puts a dead-lettered command back in the queue, due now, with its attempts reset (a person fixed the cause).
   * False when the command is not dead (already retried, or no such id).
   */
  retryDead(id: number, now: number): boolean;
  /** Accepted webhooks and refused attempts per provider since `since` (error rate on the dashboard). */
  webhookCountsSince(since: number): Record<string, { accepted: number; rejected: number }>;
}
