import type { LiveOrder } from '../ports/order-gateway';

/**
 * How long a batch read stands for the live order, for a plan WooCommerce guards itself (planTrustsEarlierRead).
 * A batch is written well within it; a command that waited longer reads its order again.
 */
export const EARLIER_READ_TRUST_MS = 3000;

/**
 * An order as the worker's batch read showed it, made for this command after it was queued (so after whatever
 * queued it: a person's change, the reconciler's finding). Never carried over to the order's next command: that
 * one usually exists because something changed the order, which our last write's answer cannot know.
 */
export interface EarlierRead {
  order: LiveOrder;
  /** When the read was sent: its age is never understated. */
  sentAt: number;
}

/** The order of a read still young enough to use at `now`, or null. */
export function usableRead(read: EarlierRead | null | undefined, now: number, trustMs = EARLIER_READ_TRUST_MS): LiveOrder | null {
  return read && now - read.sentAt <= trustMs ? read.order : null;
}
