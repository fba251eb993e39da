import type { DeadLetter, QueuedCommand, SessionSummary, StoredEvent } from '../../ports/ops-store';
import type { OutboxCommand } from '../../ports/outbox-store';

/**
 * The operator's rows as both stores read them, and how each becomes what ops-store.ts promises. Only the SQL
 * differs by dialect (sqlite-ops-store.ts, postgres-ops-store.ts); the column lists and the mapping live here once.
 */
export const SESSION_SUMMARY_COLUMNS = 'id, merchant_order_id, provider, status, amount_minor, currency, created_at, updated_at, expires_at';
export const DEAD_LETTER_COLUMNS = 'id, order_key, kind, command, attempts, last_error, created_at, updated_at, dismissed_at';
export const STORED_EVENT_COLUMNS = 'id, provider, event_id, event_type, session_id, merchant_order_id, outcome, verification, received_at';

export interface SessionSummaryRow {
  id: string;
  merchant_order_id: string;
  provider: string;
  status: string;
  amount_minor: number;
  currency: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

export interface DeadLetterRow {
  id: number;
  order_key: string;
  kind: string;
  command: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  dismissed_at: number | null;
}

/** A dead letter's columns plus what an open command also shows (openCommandsOf). */
export type QueuedCommandRow = DeadLetterRow & { state: 'pending' | 'dead'; next_attempt_at: number };

export interface StoredEventRow {
  id: number;
  provider: string;
  event_id: string;
  event_type: string;
  session_id: string | null;
  merchant_order_id: string | null;
  outcome: string;
  verification: string;
  received_at: number;
}

export function toSummary(row: SessionSummaryRow): SessionSummary {
  return {
    id: row.id,
    merchantOrderId: row.merchant_order_id,
    provider: row.provider,
    status: row.status,
    amountMinor: row.amount_minor,
    currency: row.currency,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

export function toDeadLetter(row: DeadLetterRow): DeadLetter {
  const command = JSON.parse(row.command) as OutboxCommand;
  return {
    id: row.id,
    orderKey: row.order_key,
    kind: command.kind,
    command,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    dismissedAt: row.dismissed_at,
  };
}

export function toQueuedCommand(row: QueuedCommandRow): QueuedCommand {
  return { ...toDeadLetter(row), state: row.state, nextAttemptAt: row.next_attempt_at };
}

export function toStoredEvent(row: StoredEventRow): StoredEvent {
  return {
    id: row.id,
    provider: row.provider,
    eventId: row.event_id,
    eventType: row.event_type,
    sessionId: row.session_id,
    merchantOrderId: row.merchant_order_id,
    outcome: row.outcome,
    verification: row.verification,
    receivedAt: row.received_at,
  };
}

type ProviderCount = { provider: string; n: number };

/** Accepted and refused webhooks per provider, from the two per-provider counts (a provider in one only gets 0). */
export function webhookCounts(accepted: ProviderCount[], rejected: ProviderCount[]): Record<string, { accepted: number; rejected: number }> {
  const counts: Record<string, { accepted: number; rejected: number }> = {};
  for (const row of accepted) (counts[row.provider] ??= { accepted: 0, rejected: 0 }).accepted = row.n;
  for (const row of rejected) (counts[row.provider] ??= { accepted: 0, rejected: 0 }).rejected = row.n;
  return counts;
}

