import type { PaymentStatus } from '../../domain/payment-status';

/** What the sandbox "provider" knows about one of its sessions: its own truth, for fetchStatus and expiry. */
export interface SandboxPayment {
  relaySessionId: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  refundedMinor: number;
  reason: string | null;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
}

/** The sandbox provider's own state (a real provider keeps this on its side). Synchronous, like the stores. */
export interface SandboxLedger {
  /** Creates the payment, or returns the existing one (a retried createCheckout must not reset it). */
  open(input: { relaySessionId: string; amountMinor: number; currency: string; expiresAt: number }, now: number): SandboxPayment;
  get(relaySessionId: string): SandboxPayment | null;
  /** Records an outcome; null when the session is unknown. */
  record(relaySessionId: string, outcome: { status: PaymentStatus; reason?: string | null; refundedMinor?: number }, now: number): SandboxPayment | null;
}

/** Stable per session, so a retried open gives the same payment id. */
export function sandboxPaymentId(relaySessionId: string): string {
  return `sbx_pay_${relaySessionId}`;
}
