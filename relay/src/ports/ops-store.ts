import type { OutboxCommand } from './outbox-store';

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

/** An outbox command the worker gave up on (state dead): what it was, how often it ran, why it stopped. */
export interface DeadLetter {
  id: number;
  orderKey: string;
  kind: OutboxCommand['kind'];
  command: OutboxCommand;
  attempts: number;
  /** `code: message`, as the worker recorded it. */
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  /** When a person dismissed it (kept for the audit, out of lists and counts), or null. */
  dismissedAt: number | null;
}

/** An outbox command still in the queue or given up on, for one order's timeline. */
export interface QueuedCommand {
  id: number;
  orderKey: string;
  kind: OutboxCommand['kind'];
  command: OutboxCommand;
  state: 'pending' | 'dead';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  dismissedAt: number | null;
}

/** A webhook (or fetched status) in the inbox, without its body. */
export interface StoredEvent {
  /** The inbox row's own number. */
  id: number;
  provider: string;
  eventId: string;
  eventType: string;
  sessionId: string | null;
  merchantOrderId: string | null;
  outcome: string;
  verification: string;
  receivedAt: number;
}

/** What retryDead did: queued again, refused because another command of its order is running, or not a dead letter. */
export type RetryDeadOutcome = { kind: 'retried' } | { kind: 'order_busy'; commandId: number } | { kind: 'not_dead' };

export interface OpsStore {
  /** When the oldest command still waiting in the outbox was queued, or null when nothing waits. */
  oldestPendingAt(): number | null;
  sessionsByStatus(): Record<string, number>;
  recentSessions(limit: number): SessionSummary[];
  /** Sessions of one order, newest first. */
  sessionsOfOrder(merchantOrderId: string): SessionSummary[];
  /** Dead letters nobody dismissed, newest first. */
  deadLetters(limit: number): DeadLetter[];
  /** How many dead letters nobody dismissed (the list may be cut at its limit). */
  deadLetterCount(): number;
  /** One outbox command as a dead letter, dismissed or not; null when there is no such id or it is not dead. */
  deadLetter(id: number): DeadLetter | null;
  /**
   * Puts a dead-lettered command back in the queue, due now, with a fresh retry budget (a person fixed the cause).
   * Its attempts restart at 1, not 0: it ran at least once, and the worker looks for its own note or refund
   * before writing again only when attempts > 0 (a dead letter may have reached the shop: a timeout after the
   * request was sent). It keeps its place: older than what its order queued after it died, it is its order's
   * head again and runs before them. So it is refused (`order_busy`) while a worker holds a live lease on another
   * command of its order: put back then, it would run beside that one, two writes to one order at once. The
   * check and the change are atomic with the workers' claims (markAttempt takes only a head). `not_dead` when
   * the command is not an undismissed dead letter (already retried, dismissed, or no such id).
   */
  retryDead(id: number, now: number): RetryDeadOutcome;
  /** Keeps a dead letter as it is but out of lists and counts. False when it is not an undismissed dead letter. */
  dismissDead(id: number, now: number): boolean;
  /**
   * Open alerts counted by code and provider (/metrics): a webhook alarm's own provider (`shop` for the shop's
   * dead letters), else the provider of the alert's session, else `none`.
   */
  openAlertCounts(): Array<{ code: string; provider: string; count: number }>;
  /** Commands pending or dead (dismissed ones too) queued under any of these keys, oldest first. */
  openCommandsOf(orderKeys: string[]): QueuedCommand[];
  /** An inbox row by its number; null when there is none (never stored, or pruned). */
  storedEvent(id: number): StoredEvent | null;
  /** Inbox rows with this provider event id (one per provider that used it). */
  storedEventsByEventId(eventId: string): StoredEvent[];
  /**
   * Called first in a replay's transaction: another replay of the same event (a dashboard on another relay of the
   * fleet, a command-line tool) waits until this transaction ends, then sees the copies it queued. PostgreSQL: a
   * transaction-level advisory lock (under READ COMMITTED two replays would both find no copy and queue two).
   * SQLite: nothing to do, its write transactions run one at a time (BEGIN IMMEDIATE).
   */
  lockEventReplay(ref: string): void;
  /** Every outbox command, in any state, that carries this ref (`provider:eventId`: what an event queued), oldest first. */
  commandsWithRef(ref: string): Array<{ id: number; orderKey: string; kind: OutboxCommand['kind']; state: 'pending' | 'done' | 'dead' }>;
  /**
   * Queues a copy of a command, due now, counted as having run once: the worker then looks for the note or
   * refund it writes before writing it (a replay of an applied event writes nothing). The copy keeps the
   * original's place among its order's writes (replay_of, for OutboxStore.newerWriteDone). The copy's id.
   */
  requeueCopy(id: number, now: number): number | null;
  /** Accepted webhooks and refused attempts per provider since `since` (error rate on the dashboard). */
  webhookCountsSince(since: number): Record<string, { accepted: number; rejected: number }>;
}
