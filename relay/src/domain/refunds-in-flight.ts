import { isRefundReference } from './lost-refund';

/**
 * A refund asked for in the shop whose provider has not answered yet (ShopRefund state `requested`): its amount is
 * counted in the session's refunded total before the provider is asked (app/refund-order.ts), but the provider's
 * own running total has it only once the provider made it, which may be before or after a webhook is sent.
 */
export interface InFlightRefund {
  amountMinor: number;
  /** Our key (shopRefundKey), as the provider keeps it on the refund. */
  reference: string;
}

/**
 * A provider's running refunded total against what the relay counted: which refunds in flight it already holds,
 * and how much of it is a refund the relay has not counted (one made in the provider's dashboard).
 *
 * What is counted apart from the refunds in flight is in the provider's total already (confirmed refunds, earlier
 * webhooks). Of the rest of the total, a refund in flight is taken as part of it when the event names it (PayPal's
 * refund resource, the refunds a Stripe charge lists), or else when it still fits: the least new money the total
 * allows, so a dashboard refund is never invented out of a shop refund the provider just made. A dashboard refund
 * webhook while the shop's 10.00 is in flight and the total is 5.00: 10.00 cannot be in it, the 5.00 is new. When
 * both readings fit (a total of 15.00), the shop's refund is taken as made and 5.00 as new: if the provider refuses
 * it afterwards, the 10.00 that was a dashboard refund after all is recorded by the next webhook with a higher total.
 * A list that names every refund in the total (`complete`, a Stripe charge's) settles it: one it does not name is not
 * in the total.
 */
export function splitRunningTotal<T extends InFlightRefund>(
  totalMinor: number,
  countedMinor: number,
  inFlight: readonly T[],
  refundReferences?: readonly string[],
  complete = false,
): { inTotal: T[]; newMinor: number } {
  const settledMinor = countedMinor - refundsTotal(inFlight);
  const named = refundReferences ? inFlight.filter((r) => refundReferences.some((made) => isRefundReference(r.reference, made))) : [];
  const inTotal = [...named];
  let left = totalMinor - settledMinor - refundsTotal(named);
  for (const refund of complete && refundReferences ? [] : inFlight) {
    if (named.includes(refund) || refund.amountMinor > left) continue;
    inTotal.push(refund);
    left -= refund.amountMinor;
  }
  return { inTotal, newMinor: Math.max(0, left) };
}

/**
 * The refunds in flight a provider's running total leaves no room for: what is left of the payment at the provider
 * (refundable less the total) is less than they ask, so the provider refuses them, or never made them if its answer
 * is lost. Paid 50.00, the shop's full refund of 50.00 in flight and a dashboard refund's total of 5.00: 45.00 are
 * left, the 50.00 cannot be made. Their count stays until their answer undoes it (app/refund-order.ts); what is new
 * in the total is recorded beside it meanwhile, never dropped because the count left no room. `notInTotal`: the
 * refunds in flight splitRunningTotal did not take as in the total, oldest first.
 */
export function refundsWithoutRoom<T extends InFlightRefund>(totalMinor: number, refundableMinor: number, notInTotal: readonly T[]): T[] {
  let room = refundableMinor - totalMinor;
  const without: T[] = [];
  for (const refund of notInTotal) {
    if (refund.amountMinor <= room) room -= refund.amountMinor;
    else without.push(refund);
  }
  return without;
}

export function refundsTotal(refunds: readonly InFlightRefund[]): number {
  return refunds.reduce((total, r) => total + r.amountMinor, 0);
}
