import { decimalToMinor, formatMoney } from '../../domain/money';
import type { EventStatus, ProviderEvent } from '../../domain/provider-event';
import { defined } from '../json-reader';
import type { CoinbaseCharge, CoinbaseMoney } from './coinbase-charge-schema';

export const META_SESSION_ID = 'payrelay_session_id';
export const META_ORDER_ID = 'payrelay_order_id';

type Mapped = { status: EventStatus; reason?: string };

/**
 * A Coinbase Commerce charge event onto our vocabulary (test/fixtures/providers/README.md table; Commerce docs
 * "Webhooks" and the 2018-03-22 charge timeline). Crypto settles slowly and can land late or wrong:
 * - `charge:pending`: the payment is seen on the chain, not final → pending, and the note says so.
 * - `charge:confirmed`, `charge:resolved`: final → paid.
 * - `charge:delayed`: paid after the charge expired. Money wins (paid, the note says it was late), unless the
 *   amount is wrong (over-, under- or several payments) → review with both amounts.
 * - `charge:failed`: nothing (or not enough) arrived in time. Without any payment it is expired, not failed;
 *   with a payment that did not complete it, review with the amounts.
 * Unknown types are unsupported: stored, acknowledged, never applied.
 */
export function mapCoinbaseEventType(type: string, charge: CoinbaseCharge): Mapped {
  switch (type) {
    case 'charge:created':
      return { status: 'created' };
    case 'charge:pending':
      return { status: 'pending', reason: `crypto payment seen on the blockchain, waiting for confirmations; not final yet${received(charge)}` };
    case 'charge:confirmed':
      return { status: 'paid' };
    case 'charge:resolved':
      return { status: 'paid', reason: `resolved as paid by the merchant in Coinbase Commerce${context(charge) ? ` (it was ${context(charge)?.toLowerCase()})` : ''}` };
    case 'charge:delayed':
      return unresolved(charge, true);
    case 'charge:failed':
      if (charge.payments.length === 0) return { status: 'expired', reason: 'the customer did not pay before the charge expired (no crypto payment arrived)' };
      return unresolved(charge, false);
    default:
      return { status: 'unsupported' };
  }
}

/** A fetched charge (GET /charges/:code): its newest timeline entry says where it stands. */
export function mapCoinbaseTimeline(charge: CoinbaseCharge): Mapped & { state: string } {
  const last = charge.timeline[charge.timeline.length - 1];
  const state = last ? `${last.status}${last.context ? `:${last.context}` : ''}` : 'NEW';
  switch (last?.status ?? 'NEW') {
    case 'NEW':
      return { state, status: 'created' };
    case 'SIGNED':
    case 'PENDING':
      return { state, ...mapCoinbaseEventType('charge:pending', charge) };
    case 'COMPLETED':
      return { state, status: 'paid' };
    case 'RESOLVED':
      return { state, ...mapCoinbaseEventType('charge:resolved', charge) };
    case 'EXPIRED':
      return { state, ...mapCoinbaseEventType('charge:failed', charge) };
    case 'UNRESOLVED':
      return { state, ...unresolved(charge, last?.context === 'DELAYED') };
    case 'CANCELED':
      return { state, status: 'cancelled', reason: 'the charge was cancelled in Coinbase Commerce' };
    default:
      return { state, status: 'unsupported' };
  }
}

/** Money arrived, but not as asked: late (money wins) or the wrong amount (a person decides). */
function unresolved(charge: CoinbaseCharge, late: boolean): Mapped {
  const why = context(charge);
  const expected = charge.pricing?.local;
  const got = receivedLocal(charge);
  const wrongAmount =
    why === 'UNDERPAID' || why === 'OVERPAID' || why === 'MULTIPLE' ||
    (expected !== undefined && got !== undefined && got.currency === expected.currency.toUpperCase() && got.minor !== toMinor(expected));
  if (late && !wrongAmount) {
    return { status: 'paid', reason: `the crypto payment arrived after the charge had expired; a late payment is still money${received(charge)}` };
  }
  const what = why === 'DELAYED' || (late && !why) ? 'paid late, and not the amount asked' : why ? why.toLowerCase().replace(/_/g, ' ') : 'not enough, or not in time';
  return { status: 'review', reason: `Coinbase Commerce could not settle this charge (${what})${received(charge)}${expected ? `, ${formatMoney(toMinor(expected), expected.currency)} expected` : ''}; resolve it in Coinbase Commerce or refund the customer in crypto` };
}

function context(charge: CoinbaseCharge): string | undefined {
  for (let i = charge.timeline.length - 1; i >= 0; i -= 1) if (charge.timeline[i].context) return charge.timeline[i].context;
  return undefined;
}

/** The local-currency value of every payment, when they are all in one currency. */
function receivedLocal(charge: CoinbaseCharge): { minor: number; currency: string } | undefined {
  const locals = charge.payments.map((p) => p.value?.local).filter((v): v is CoinbaseMoney => v !== undefined);
  if (locals.length === 0) return undefined;
  const currency = locals[0].currency.toUpperCase();
  if (locals.some((v) => v.currency.toUpperCase() !== currency)) return undefined;
  return { minor: locals.reduce((sum, v) => sum + toMinor(v), 0), currency };
}

/** ", received 0.00021 BTC (9.50 EUR)" — empty when no payment is listed. */
function received(charge: CoinbaseCharge): string {
  if (charge.payments.length === 0) return '';
  const crypto = charge.payments.map((p) => p.value?.crypto).filter((v): v is CoinbaseMoney => v !== undefined).map((v) => `${v.amount} ${v.currency}`);
  const local = receivedLocal(charge);
  const localText = local ? formatMoney(local.minor, local.currency) : '';
  return `; received ${crypto.length > 0 ? crypto.join(' + ') : localText}${crypto.length > 0 && localText ? ` (${localText})` : ''}`;
}

function toMinor(value: CoinbaseMoney): number {
  return decimalToMinor(value.amount, value.currency) ?? 0;
}

export interface CoinbaseEventFacts {
  eventId: string;
  eventType: string;
  occurredAt: number;
  mapped: Mapped;
  /** Coinbase Commerce has no test mode: events take the relay's own mode. */
  livemode: boolean;
}

export function coinbaseProviderEvent(charge: CoinbaseCharge, facts: CoinbaseEventFacts): ProviderEvent {
  const meta = charge.metadata ?? {};
  const expected = charge.pricing?.local;
  const paid = facts.mapped.status === 'paid';
  return {
    provider: 'coinbase-commerce',
    eventId: facts.eventId,
    eventType: facts.eventType,
    status: facts.mapped.status,
    providerSessionId: charge.code,
    providerPaymentId: charge.code,
    livemode: facts.livemode,
    occurredAt: facts.occurredAt,
    ...defined({
      relaySessionId: typeof meta[META_SESSION_ID] === 'string' ? meta[META_SESSION_ID] : undefined,
      merchantOrderId: typeof meta[META_ORDER_ID] === 'string' ? meta[META_ORDER_ID] : undefined,
      // The charge's own price is what was asked; decide() checks it against the order before calling it paid.
      amountMinor: paid && expected ? decimalToMinor(expected.amount, expected.currency) ?? undefined : undefined,
      currency: expected?.currency.toUpperCase(),
      reason: facts.mapped.reason,
    }),
  };
}
