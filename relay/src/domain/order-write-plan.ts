import { formatMoney } from './money';
import type { OrderWriteIntent } from './decide';
import { assertNever } from './payment-status';
import type { LiveOrder, OrderUpdateFields } from '../ports/order-gateway';

/** The gateway id the WordPress plugin registers; the relay never writes to another gateway's order. */
export const PAYRELAY_GATEWAY_ID = 'payrelay';

export type OrderWriteStep =
  | { kind: 'update'; fields: OrderUpdateFields }
  | { kind: 'refund'; amountMinor: number; reason: string }
  | { kind: 'note'; text: string };

export interface OrderWritePlan {
  steps: OrderWriteStep[];
  /** `status_written` when the order's status or payment fields change, `note_only` when only a note is added. */
  outcome: 'status_written' | 'note_only';
  /** One line for the payment log. */
  summary: string;
  /**
   * The line instead when the worker finds the refund record in the shop already and skips the refund step (its
   * own earlier attempt, a replay's original, or the shop's own record of the same money): "added" would be untrue.
   */
  summaryIfRefundThere?: string;
}

/** How a note-only summary ends; the worker says so instead when the note was there already (a replay's copy). */
export const NOTE_ADDED = ', note added';
export const NOTE_ALREADY_THERE = ', its note was already there';

export type PlanRefusal = { code: 'not_our_gateway'; message: string };

export interface PlanOptions {
  /**
   * An expired checkout cancels the order (PAYRELAY_CANCEL_ON_EXPIRY=1). Off by default: WooCommerce refuses
   * payment on a cancelled order, so the shopper's "pay for this order" link would be a dead end. The shop's
   * own hold-stock rule still cancels unpaid orders when the merchant set one.
   */
  cancelOnExpiry: boolean;
  /**
   * A newer write of this order was done before this one ran (a dead letter retried by hand after its order moved
   * on, or a replay's copy of an older event): its status is older than the order's, so none is written, whatever the order's status now. Its refund
   * record is still added (money that moved is recorded; the worker checks what the shop has) and its note says why.
   */
  overtaken?: boolean;
}

/** What the shopper can still do after an expired checkout, said in the order note. */
export const EXPIRED_STILL_PAYABLE = 'The checkout expired, the customer can still pay from the order page.';
/** What a payment for a cancelled order leaves the merchant to do, said in the order note. */
export const PAID_ON_CANCELLED = 'The order had been cancelled in the shop, so its stock may be back on sale: Payrelay put it on hold instead of reopening it. Check stock, then set it to processing and ship, or refund the payment.';
const EXPIRED_CANCELLED = 'The order is cancelled because the shop cancels orders whose checkout expired (PAYRELAY_CANCEL_ON_EXPIRY=1).';

/**
 * Turns what the shop should reflect into WooCommerce writes, against the order as it is now (a person may
 * have changed it since the event arrived). Pure. WooCommerce honours `set_paid` only on pending or failed
 * orders (recorded in test/fixtures/woocommerce/README.md), so a paid order that was cancelled or put
 * on hold needs an explicit `processing`.
 */
export function planOrderWrite(
  intent: OrderWriteIntent,
  order: LiveOrder,
  expected: { amountMinor: number; currency: string },
  options: PlanOptions = { cancelOnExpiry: false },
): { ok: true; value: OrderWritePlan } | { ok: false; error: PlanRefusal } {
  if (order.paymentMethod !== PAYRELAY_GATEWAY_ID) {
    return {
      ok: false,
      error: { code: 'not_our_gateway', message: `order ${order.id} is paid with "${order.paymentMethod || 'nothing'}", not Payrelay; the relay does not touch it` },
    };
  }
  const mismatch = totalMismatch(order, expected);
  if (mismatch) {
    return noteOnly(`${intent.note} Payrelay did not change the order status: ${mismatch}.`, `order not changed: ${mismatch}`);
  }

  if (intent.noteOnly) return noteOnly(intent.note, `order stays ${order.status}${NOTE_ADDED}`);
  if (options.overtaken) return overtakenPlan(intent, order.status);
  const fields = statusFields(intent, order.status, options);
  if (fields === 'moved_on') {
    return noteOnly(
      `${intent.note} The order was left ${order.status} because it had been moved on in the shop; change it by hand if needed.`,
      `order left ${order.status} (moved on in the shop)${NOTE_ADDED}`,
    );
  }
  const steps: OrderWriteStep[] = [];
  if (fields) steps.push({ kind: 'update', fields });
  if (intent.refundMinor !== undefined) {
    steps.push({ kind: 'refund', amountMinor: intent.refundMinor, reason: intent.note });
  }
  steps.push({ kind: 'note', text: paidOnCancelledNote(intent, order.status, expiryNote(intent, order.status, fields?.status)) });
  const changed = fields !== null || intent.refundMinor !== undefined;
  const refundOnly = !fields?.status && !fields?.set_paid && intent.refundMinor !== undefined;
  const summary = fields?.status
    ? `order ${order.status} → ${fields.status}`
    : fields?.set_paid
      ? `order marked paid (was ${order.status})`
      : intent.refundMinor !== undefined
        ? `refund record of ${formatMoney(intent.refundMinor, expected.currency)} added`
        : fields?.transaction_id
          ? `transaction id stored, order stays ${order.status}`
          : `order stays ${order.status}${NOTE_ADDED}`;
  const summaryIfRefundThere = refundOnly ? `refund record of ${formatMoney(intent.refundMinor!, expected.currency)} already there${NOTE_ADDED}` : undefined;
  return { ok: true, value: { steps, outcome: changed ? 'status_written' : 'note_only', summary, ...(summaryIfRefundThere ? { summaryIfRefundThere } : {}) } };
}

/**
 * WooCommerce answered a `set_paid` write with an order that is still not paid: it pays only pending and failed
 * orders, so the order had moved (cancelled by the shop's hold-stock rule, put on hold by a person) since it was
 * read. Planned again against the answer, which is the order as it is after the write: a cancelled order goes on
 * hold with its note, a refunded or completed one is left alone. Still pending or failed (the shop ignores
 * set_paid, as a plugin may make it): `processing` is asked outright.
 */
export function planAfterUnpaidAnswer(
  intent: OrderWriteIntent,
  answer: LiveOrder,
  expected: { amountMinor: number; currency: string },
  options: PlanOptions = { cancelOnExpiry: false },
): { ok: true; value: OrderWritePlan } | { ok: false; error: PlanRefusal } {
  const plan = planOrderWrite(intent, answer, expected, options);
  if (!plan.ok) return plan;
  const txn = intent.transactionId ?? undefined;
  const steps = plan.value.steps.map((step): OrderWriteStep =>
    step.kind === 'update' && step.fields.set_paid ? { kind: 'update', fields: { status: 'processing', ...(txn ? { transaction_id: txn } : {}) } } : step,
  );
  return { ok: true, value: { ...plan.value, steps } };
}

/**
 * Whether a plan may be carried out against an order read a few seconds ago (a batch read, the answer of our own
 * last write) instead of one read just before. Yes when WooCommerce guards every write itself: `set_paid` pays
 * only a pending or failed order (and its answer says which), a note changes no status. A plain status write has
 * no such guard (it would put a refunded order on hold, a paid one to failed), and a refund is checked against
 * the order's refund list: those are planned against a fresh read.
 */
export function planTrustsEarlierRead(plan: OrderWritePlan): boolean {
  return plan.steps.every((step) => step.kind === 'note' || (step.kind === 'update' && step.fields.set_paid === true && step.fields.status === undefined));
}

/** An expiry note says whether the shopper can still pay: "expired" is not "failed", and not always "cancelled". */
function expiryNote(intent: OrderWriteIntent, current: string, written: string | undefined): string {
  if (intent.target !== 'expired') return intent.note;
  if (written === 'cancelled') return `${intent.note} ${EXPIRED_CANCELLED}`;
  if ((written ?? current) === 'pending') return `${intent.note} ${EXPIRED_STILL_PAYABLE}`;
  // Cancelled already (the shop's hold-stock rule, or a person): the relay does not reopen it.
  return intent.note;
}

/** A payment for an order the shop had cancelled: the note says why it is on hold and what to do. */
function paidOnCancelledNote(intent: OrderWriteIntent, current: string, note: string): string {
  if (intent.target !== 'paid' || intent.refundMinor !== undefined || current !== 'cancelled') return note;
  return `${note} ${PAID_ON_CANCELLED}`;
}

/** Overtaken: the live status may be a newer event's (a hold, a refund) or a person's; neither is undone. */
function overtakenPlan(intent: OrderWriteIntent, status: string): { ok: true; value: OrderWritePlan } {
  const why = `Payrelay did not change the order status: this update ran after a newer update of the order had been written (it had failed and was retried, or its event was replayed), so the order stays ${status}.`;
  if (intent.refundMinor === undefined) return noteOnly(`${intent.note} ${why}`, `order left ${status} (a newer update was written first)${NOTE_ADDED}`);
  const steps: OrderWriteStep[] = [{ kind: 'refund', amountMinor: intent.refundMinor, reason: intent.note }, { kind: 'note', text: `${intent.note} ${why}` }];
  const left = `order left ${status} (a newer update was written first)`;
  return { ok: true, value: { steps, outcome: 'status_written', summary: `refund record added, ${left}${NOTE_ADDED}`, summaryIfRefundThere: `refund record already there, ${left}${NOTE_ADDED}` } };
}

function noteOnly(text: string, summary: string): { ok: true; value: OrderWritePlan } {
  return { ok: true, value: { steps: [{ kind: 'note', text }], outcome: 'note_only', summary } };
}

function totalMismatch(order: LiveOrder, expected: { amountMinor: number; currency: string }): string | null {
  if (order.currency.toUpperCase() !== expected.currency.toUpperCase()) {
    return `the order is in ${order.currency}, the payment in ${expected.currency.toUpperCase()}`;
  }
  if (order.totalMinor !== expected.amountMinor) {
    const total = order.totalMinor === null ? 'unreadable' : formatMoney(order.totalMinor, order.currency);
    return `the order total (${total}) differs from the payment session (${formatMoney(expected.amountMinor, expected.currency)})`;
  }
  return null;
}

/**
 * null: no field changes (a note is enough); 'moved_on': a status a person reached (completed, refunded, or a
 * cancellation the payment cannot explain) that the relay must not overwrite.
 */
function statusFields(intent: OrderWriteIntent, status: string, options: PlanOptions): OrderUpdateFields | null | 'moved_on' {
  const txn = intent.transactionId ?? undefined;
  switch (intent.target) {
    case 'paid':
      // A partial refund leaves the payment paid: a refund record on a paid order, nothing on any other.
      if (intent.refundMinor !== undefined) {
        // A partial chargeback ends the dispute's hold: the rest is paid.
        if (intent.releasesHold && status === 'on-hold') return { status: 'processing' };
        return status === 'processing' || status === 'completed' || status === 'on-hold' ? null : 'moved_on';
      }
      if (status === 'pending' || status === 'failed' || status === 'checkout-draft') return { set_paid: true, ...(txn ? { transaction_id: txn } : {}) };
      if (status === 'on-hold') return { status: 'processing', ...(txn ? { transaction_id: txn } : {}) };
      // Cancelled in the shop (hold stock, a person, PAYRELAY_CANCEL_ON_EXPIRY): its stock may be back on sale, so
      // the money is recorded and a person decides (ship or refund), rather than reopening it as processing.
      if (status === 'cancelled') return { status: 'on-hold', ...(txn ? { transaction_id: txn } : {}) };
      if (status === 'processing' || status === 'completed') return null;
      return 'moved_on';
    case 'review':
      if (status === 'on-hold') return null;
      // Money a chargeback took came back: the refunded order is held for the merchant, not reopened.
      if (intent.moneyReturned && status === 'refunded') return { status: 'on-hold' };
      if (status === 'pending' || status === 'processing' || status === 'failed' || status === 'cancelled') return { status: 'on-hold' };
      return 'moved_on';
    case 'failed':
      if (status === 'failed') return null;
      if (status === 'pending' || status === 'on-hold') return { status: 'failed' };
      return 'moved_on';
    case 'expired':
      if (options.cancelOnExpiry) return status === 'cancelled' ? null : status === 'pending' || status === 'failed' ? { status: 'cancelled' } : 'moved_on';
      // Payable again: WooCommerce takes payment on pending (and failed) orders; pending says "waiting for payment".
      if (status === 'pending' || status === 'cancelled') return null;
      if (status === 'failed') return { status: 'pending' };
      return 'moved_on';
    case 'cancelled':
      if (status === 'cancelled') return null;
      if (status === 'pending' || status === 'failed') return { status: 'cancelled' };
      return 'moved_on';
    case 'refunded':
      // A chargeback of all that was left: the refund record itself makes WooCommerce mark the order refunded
      // (a status change first would make WooCommerce refund the rest by itself, and our record would fail).
      if (intent.refundMinor !== undefined) return status === 'processing' || status === 'completed' || status === 'on-hold' ? null : 'moved_on';
      if (status === 'refunded') return null;
      if (status === 'processing' || status === 'on-hold') return { status: 'refunded' };
      return 'moved_on';
    case 'pending':
      if (status === 'pending' || status === 'on-hold') return null;
      if (status === 'failed') return { status: 'pending' };
      return 'moved_on';
    case 'created':
      return null;
    default:
      return assertNever(intent.target);
  }
}

