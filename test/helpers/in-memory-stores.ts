import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { PaymentStatus } from '../../relay/src/domain/payment-status';
import type { ProviderId } from '../../relay/src/domain/provider-event';
import type { PaymentLog, PaymentLogEntry } from '../../relay/src/ports/payment-log';
import type { NewPaymentSession, SessionPatch, SessionStore } from '../../relay/src/ports/session-store';

/** The SessionStore port in memory, for use-case and HTTP tests that do not need SQLite. */
export class InMemorySessionStore implements SessionStore {
  readonly rows = new Map<string, NewPaymentSession>();

  insert(session: NewPaymentSession): void {
    if (this.rows.has(session.id)) throw new Error(`duplicate session id ${session.id}`);
    if (session.idempotencyKey && this.findByIdempotencyKey(session.idempotencyKey)) throw new Error(`duplicate idempotency key ${session.idempotencyKey}`);
    this.rows.set(session.id, { ...session });
  }
  get(sessionId: string): PaymentSession | null {
    return this.copy(this.rows.get(sessionId));
  }
  getForUpdate(sessionId: string): PaymentSession | null {
    return this.get(sessionId);
  }
  findByProviderSessionId(provider: ProviderId, providerSessionId: string): PaymentSession | null {
    return this.copy(this.all().find((s) => s.provider === provider && s.providerSessionId === providerSessionId));
  }
  findByProviderPaymentId(provider: ProviderId, providerPaymentId: string): PaymentSession | null {
    // The newest, as the SQL stores' ORDER BY created_at DESC LIMIT 1 (a retried checkout may carry the same payment).
    return this.copy(this.all().reverse().find((s) => s.provider === provider && s.providerPaymentId === providerPaymentId));
  }
  findByIdempotencyKey(key: string): PaymentSession | null {
    return this.copy(this.all().find((s) => s.idempotencyKey === key));
  }
  listByOrder(merchantOrderId: string): PaymentSession[] {
    return this.all().filter((s) => s.merchantOrderId === merchantOrderId).map((s) => ({ ...s }));
  }
  listOpenExpiredBefore(now: number, limit: number): PaymentSession[] {
    return this.all().filter((s) => (s.status === 'created' || s.status === 'pending') && s.expiresAt < now).slice(0, limit);
  }
  listStale(statuses: PaymentStatus[], before: number, limit: number): PaymentSession[] {
    return this.all().filter((s) => statuses.includes(s.status) && s.updatedAt < before).slice(0, limit);
  }
  listUpdatedSince(statuses: PaymentStatus[], since: number, limit: number): PaymentSession[] {
    return this.all().filter((s) => statuses.includes(s.status) && s.updatedAt >= since).sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
  }
  update(sessionId: string, patch: SessionPatch, now: number): void {
    const row = this.rows.get(sessionId);
    if (row) this.rows.set(sessionId, { ...row, ...patch, updatedAt: now });
  }
  findPaidSibling(merchantOrderId: string, exceptSessionId: string): { id: string; provider: ProviderId; providerPaymentId: string | null } | null {
    const others = this.listByOrder(merchantOrderId).filter((s) => s.id !== exceptSessionId);
    const other = others.find((s) => s.status === 'paid') ?? others.find((s) => s.status === 'review');
    return other ? { id: other.id, provider: other.provider, providerPaymentId: other.providerPaymentId } : null;
  }

  countByOrder(merchantOrderId: string): number {
    return this.all().filter((s) => s.merchantOrderId === merchantOrderId).length;
  }
  private all(): NewPaymentSession[] {
    return [...this.rows.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
  private copy(row: NewPaymentSession | undefined): PaymentSession | null {
    return row ? { ...row } : null;
  }
}

export class InMemoryPaymentLog implements PaymentLog {
  readonly entries: PaymentLogEntry[] = [];

  append(...entries: PaymentLogEntry[]): void {
    for (const entry of entries) this.entries.push({ ...entry });
  }
  listByOrder(merchantOrderId: string): PaymentLogEntry[] {
    return this.entries.filter((e) => e.merchantOrderId === merchantOrderId);
  }
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private ms = Date.UTC(2025, 0, 15, 12, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Predictable ids: ps_1, ps_2, … and tokens st_1, … */
export function sequentialIds(): { sessionId(): string; statusToken(): string } {
  let session = 0;
  let token = 0;
  return {
    sessionId: () => `ps_${++session}`,
    statusToken: () => `st_${String(++token).padStart(32, '0')}`,
  };
}
