import { assertNever, type PaymentStatus } from './payment-status';

/**
 * Why a status change is allowed or refused. Every (current × incoming) pair has exactly one rule;
 * `test/unit/domain/transitions.test.ts` lists all 64.
 */
export type TransitionRule =
  | { verdict: 'apply'; why: 'progress' | 'retry_succeeded' | 'late_payment' | 'review_opened' | 'review_cleared' | 'review_rejected' | 'refund' | 'expired_after_failure' }
  | { verdict: 'same'; why: 'duplicate_status' }
  | { verdict: 'refuse'; why: 'no_regression' | 'money_already_taken' | 'already_closed' | 'refund_without_payment' | 'refund_is_final' };

const apply = (why: Extract<TransitionRule, { verdict: 'apply' }>['why']): TransitionRule => ({ verdict: 'apply', why });
const refuse = (why: Extract<TransitionRule, { verdict: 'refuse' }>['why']): TransitionRule => ({ verdict: 'refuse', why });

/**
 * The transition table. Out-of-order and late deliveries are handled here, not by timestamps:
 * a status that says less than what we already know never wins, and money always wins.
 */
export function transitionRule(current: PaymentStatus, incoming: PaymentStatus): TransitionRule {
  if (current === incoming) return { verdict: 'same', why: 'duplicate_status' };
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
      if (incoming === 'paid') return apply('review_cleared');
      if (incoming === 'failed') return apply('review_rejected');
      if (incoming === 'refunded') return apply('refund');
      return refuse('money_already_taken');
    case 'refunded':
      return refuse('refund_is_final');
    default:
      return assertNever(current);
  }
}
