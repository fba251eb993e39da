import crypto from 'node:crypto';
import type { EventStatus, ProviderEvent } from '../../domain/provider-event';
import type { PaymentStatus } from '../../domain/payment-status';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';
import { defined, int, parseJsonObject, str } from '../json-reader';

export const SANDBOX_EVENT_TYPES = [
  'payment.paid',
  'payment.pending',
  'payment.failed',
  'payment.expired',
  'payment.cancelled',
  'payment.review',
  'payment.refunded',
  'payment.review_approved',
  'payment.review_rejected',
] as const;
export type SandboxEventType = (typeof SANDBOX_EVENT_TYPES)[number];

/** The body the sandbox POSTs to /webhooks/sandbox. */
export interface SandboxEventBody {
  id: string;
  type: string;
  session_id: string;
  payment_id: string;
  amount: number;
  currency: string;
  refunded_amount?: number;
  reason?: string;
  livemode: false;
  /** Unix seconds. */
  created: number;
}

const STATUS_BY_TYPE: Record<SandboxEventType, PaymentStatus> = {
  'payment.paid': 'paid',
  'payment.pending': 'pending',
  'payment.failed': 'failed',
  'payment.expired': 'expired',
  'payment.cancelled': 'cancelled',
  'payment.review': 'review',
  'payment.refunded': 'refunded',
  // The sandbox's own verdict on a review it opened: only a verdict (or a person) ends a review.
  'payment.review_approved': 'paid',
  'payment.review_rejected': 'failed',
};

const VERDICT_BY_TYPE: Partial<Record<SandboxEventType, 'approved' | 'rejected'>> = {
  'payment.review_approved': 'approved',
  'payment.review_rejected': 'rejected',
};

export function sandboxEventType(status: PaymentStatus): SandboxEventType | null {
  const entry = Object.entries(STATUS_BY_TYPE).find(([type, value]) => value === status && !(type in VERDICT_BY_TYPE));
  return entry ? (entry[0] as SandboxEventType) : null;
}

export function newSandboxEventId(): string {
  return `sbx_evt_${crypto.randomBytes(12).toString('hex')}`;
}

export function parseSandboxEvent(raw: Buffer): Result<SandboxEventBody, WebhookRejection> {
  const body = parseJsonObject(raw);
  if (!body) return err({ code: 'malformed', message: 'body is not a JSON object' });
  const id = str(body, 'id');
  const type = str(body, 'type');
  const sessionId = str(body, 'session_id');
  const paymentId = str(body, 'payment_id');
  const amount = int(body, 'amount');
  const currency = str(body, 'currency');
  const created = int(body, 'created');
  const refunded = body.refunded_amount === undefined ? undefined : int(body, 'refunded_amount');
  if (!id || !type || !sessionId || !paymentId || amount === undefined || !currency || created === undefined || (body.refunded_amount !== undefined && refunded === undefined)) {
    return err({ code: 'malformed', message: 'body is not a sandbox event (needs id, type, session_id, payment_id, amount, currency, created)' });
  }
  // The sandbox takes test payments only: an event claiming to be live is not one of ours.
  if (body.livemode !== false) return err({ code: 'malformed', message: 'sandbox events must have livemode false' });
  return ok({ id, type, session_id: sessionId, payment_id: paymentId, amount, currency, created, livemode: false, ...defined({ refunded_amount: refunded, reason: str(body, 'reason') }) });
}

export function mapSandboxEvent(body: SandboxEventBody): ProviderEvent {
  const known = (SANDBOX_EVENT_TYPES as readonly string[]).includes(body.type);
  const status: EventStatus = known ? STATUS_BY_TYPE[body.type as SandboxEventType] : 'unsupported';
  const reviewVerdict = known ? VERDICT_BY_TYPE[body.type as SandboxEventType] : undefined;
  return {
    provider: 'sandbox',
    eventId: body.id,
    eventType: body.type,
    status,
    providerSessionId: body.session_id,
    relaySessionId: body.session_id,
    providerPaymentId: body.payment_id,
    amountMinor: body.amount,
    currency: body.currency.toUpperCase(),
    livemode: false,
    occurredAt: body.created * 1000,
    ...defined({ refundedMinor: status === 'refunded' ? body.refunded_amount ?? body.amount : undefined, reason: body.reason, reviewVerdict }),
  };
}
