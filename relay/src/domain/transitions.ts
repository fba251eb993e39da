import { assertNever, PAYMENT_STATUSES, type PaymentStatus } from './payment-status';

/**
 * What a session can be in for the transition table: one of the eight statuses, or `disputed` (status `review`
 * with an open dispute, `PaymentSession.disputedFrom` set). Disputed is a flag, not a ninth status: the shop
 * and the plugin see a review; only the way the hold ends differs.
 */
export const SESSION_STATES = [...PAYMENT_STATUSES, 'disputed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * What an event can ask for: a status, or the provider's verdict on a review, or a step in a dispute. A plain
 * `paid` is not a verdict: only `review_approved` / `review_rejected` end a review. `chargeback_reversed`: money a
 * chargeback took comes back (Stripe funds reinstated, Mollie's charged-back total going down, Adyen
 * CHARGEBACK_REVERSED after a loss); decide() asks for it only when a chargeback was recorded.
 */
export const TRANSITION_EVENTS = [...PAYMENT_STATUSES, 'review_approved', 'review_rejected', 'dispute_opened', 'dispute_won', 'dispute_lost', 'chargeback_reversed'] as const;
export type TransitionEvent = (typeof TRANSITION_EVENTS)[number];

/**
 * Why a status change is allowed or refused. Every (state × event) pair has exactly one rule;
 * `test/unit/domain/transitions.test.ts` lists all 126.
 */
export type TransitionRule =
  | {
      verdict: 'apply';
      why:
        | 'progress'
        | 'retry_succeeded'
        | 'late_payment'
        | 'review_opened'
        | 'review_cleared'
        | 'review_rejected'
        | 'refund'
        | 'expired_after_failure'
        | 'dispute_opened'
        | 'dispute_won'
        | 'dispute_lost'
        | 'chargeback_reversed';
    }
  | { verdict: 'same'; why: 'duplicate_status' }
  | {
      verdict: 'refuse';
      why:
        | 'no_regression'
        | 'money_already_taken'
        | 'already_closed'
        | 'refund_without_payment'
        | 'refund_is_final'
        | 'hold_needs_verdict'
        | 'dispute_open'
        | 'no_open_dispute'
        | 'no_chargeback';
    };

type ApplyWhy = Extract<TransitionRule, { verdict: 'apply' }>['why'];
type RefuseWhy = Extract<TransitionRule, { verdict: 'refuse' }>['why'];
const apply = (why: ApplyWhy): TransitionRule => ({ verdict: 'apply', why });
const refuse = (why: RefuseWhy): TransitionRule => ({ verdict: 'refuse', why });
const same: TransitionRule = { verdict: 'same', why: 'duplicate_status' };

export function sessionState(session: { status: PaymentStatus; disputedFrom?: PaymentStatus | null }): SessionState {
  return session.status === 'review' && session.disputedFrom ? 'disputed' : session.status;
}

/**
 * The transition table. A status that says less than what we already know never wins, and money always wins.
 * A hold (review, dispute) ends only through the provider's verdict on it or a person in the shop. Which of two
 * events is older is decided before this table, by the provider's clock (`decide`).
 */
export function transitionRule(current: SessionState, incoming: TransitionEvent): TransitionRule {
  if (current === 'disputed') return disputedRule(incoming);
  switch (incoming) {
    case 'review_approved':
      // The verdict on a review releases the money; on a payment not held it is just a payment.
      return current === 'review' ? apply('review_cleared') : statusRule(current, 'paid');
    case 'review_rejected':
      return current === 'review' ? apply('review_rejected') : statusRule(current, 'failed');
    case 'dispute_opened':
      // A dispute proves the money was taken, even if the relay never heard that it was paid.
      return current === 'refunded' ? refuse('refund_is_final') : apply('dispute_opened');
    case 'dispute_won':
      return current === 'refunded' ? refuse('refund_is_final') : refuse('no_open_dispute');
    case 'dispute_lost':
      // A chargeback without a dispute first (Mollie, Adyen CHARGEBACK): the money taken is gone.
      if (current === 'paid' || current === 'review') return apply('dispute_lost');
      return current === 'refunded' ? refuse('refund_is_final') : refuse('refund_without_payment');
    case 'chargeback_reversed':
      // Money back is money, even on an order the chargeback refunded: a refund is final, a chargeback is not.
      return current === 'paid' || current === 'review' || current === 'refunded' ? apply('chargeback_reversed') : refuse('no_chargeback');
    default:
      return statusRule(current, incoming);
  }
}

function statusRule(current: PaymentStatus, incoming: PaymentStatus): TransitionRule {
  if (current === incoming) return same;
  switch (current) {
    case 'created':
      if (incoming === 'refunded') return refuse('refund_without_payment');
      if (incoming === 'review') return apply('review_opened');
      return apply('progress');
    case 'pending':
      if (incoming === 'created') return refuse('no_regression');
      if (incoming === 'refunded') return refuse('refund_without_payment');
      if (incoming === 'review') return apply('review_opened');
      return apply('progress');
    case 'paid':
      // A late pending, a failed earlier attempt or a session closing after payment must not undo the payment.
      if (incoming === 'review') return apply('review_opened');
      if (incoming === 'refunded') return apply('refund');
      if (incoming === 'failed' || incoming === 'expired' || incoming === 'cancelled') return refuse('money_already_taken');
      return refuse('no_regression');
    case 'failed':
      // A customer may try again inside the same hosted checkout; a later success is real money.
      if (incoming === 'paid') return apply('retry_succeeded');
      if (incoming === 'pending') return apply('progress');
      if (incoming === 'expired' || incoming === 'cancelled') return apply('expired_after_failure');
      if (incoming === 'review') return apply('review_opened');
      if (incoming === 'refunded') return refuse('refund_without_payment');
      return refuse('no_regression');
    case 'expired':
    case 'cancelled':
      // "A payment after expiry is still money": it wins, and the note says so.
      if (incoming === 'paid') return apply('late_payment');
      if (incoming === 'review') return apply('review_opened');
      if (incoming === 'refunded') return refuse('refund_without_payment');
      return refuse('already_closed');
    case 'review':
      // The Checkout Session says paid while Radar holds the charge: a plain paid (a poll, a late
      // checkout.session.completed) confirms money but is not the review's verdict.
      if (incoming === 'paid' || incoming === 'failed') return refuse('hold_needs_verdict');
      if (incoming === 'refunded') return apply('refund');
      return refuse('money_already_taken');
    case 'refunded':
      return refuse('refund_is_final');
    default:
      return assertNever(current);
  }
}

/** Status `review` with an open dispute: only the dispute's own outcome, or money moving back, changes it. */
function disputedRule(incoming: TransitionEvent): TransitionRule {
  switch (incoming) {
    case 'review':
    case 'dispute_opened':
      return same;
    case 'refunded':
      return apply('refund');
    case 'dispute_won':
      return apply('dispute_won');
    case 'dispute_lost':
      return apply('dispute_lost');
    case 'chargeback_reversed':
      return apply('chargeback_reversed');
    case 'created':
    case 'pending':
    case 'paid':
    case 'failed':
    case 'expired':
    case 'cancelled':
    case 'review_approved':
    case 'review_rejected':
      return refuse('dispute_open');
    default:
      return assertNever(incoming);
  }
}
