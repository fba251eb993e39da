import { isPaymentStatus } from '../../domain/payment-status';
import type { SandboxPayment } from './sandbox-ledger';

/** A sandbox_payments row as both ledgers read it (sqlite-sandbox-ledger.ts, postgres-sandbox-ledger.ts). */
export interface SandboxPaymentRow {
  session_id: string;
  payment_id: string;
  amount_minor: number;
  currency: string;
  status: string;
  refunded_minor: number;
  reason: string | null;
  expires_at: number;
  created_at: number;
  updated_at: number;
}

export function toSandboxPayment(row: SandboxPaymentRow): SandboxPayment {
  if (!isPaymentStatus(row.status)) throw new Error(`sandbox ledger: unknown status ${row.status}`);
  return {
    relaySessionId: row.session_id,
    paymentId: row.payment_id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: row.status,
    refundedMinor: row.refunded_minor,
    reason: row.reason,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
