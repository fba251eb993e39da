/** After this many shop failures in a row (any orders), the shop counts as down. */
export const SHOP_DOWN_AFTER = 3;
/**
 * While the shop is down, one cheap read (GET orders?per_page=1) this often: the writes resume within about this
 * of the shop's return, instead of at the end of a backoff that grew while it was down. nginx answers a down
 * PHP for nothing, so four probes a second cost the shop little; no command's attempts are used meanwhile.
 */
export const PROBE_EVERY_MS = 250;

/**
 * Whether the worker may send shop commands now. Failures in a row of any orders tell a shop that is down from
 * one order's trouble; a Retry-After (429, a 503 in maintenance) holds every shop call until then, because the
 * shop asked it of this client, not of one order. Time is passed in: the worker's clock, exact in tests.
 */
export interface ShopPause {
  /** A shop call failed in a way worth retrying. True when this failure is the one that makes the shop count as down. */
  failed(now: number, retryAfterMs?: number): boolean;
  /** The shop answered (an error it chose to send counts: it is up). True when it was down until now. */
  answered(): boolean;
  /** Shop commands may be claimed. */
  open(now: number): boolean;
  /** Down and the next probe is due. */
  probeDue(now: number): boolean;
  /** When shop commands may be claimed or probed for next; 0 when open. */
  resumesAt(): number;
  isDown(): boolean;
}

export function createShopPause(options: { downAfter?: number; probeEveryMs?: number; maxHoldMs: number }): ShopPause {
  const downAfter = options.downAfter ?? SHOP_DOWN_AFTER;
  const probeEveryMs = options.probeEveryMs ?? PROBE_EVERY_MS;
  let failuresInARow = 0;
  let heldUntil = 0;
  let nextProbeAt = 0;
  const down = () => failuresInARow >= downAfter;

  return {
    failed(now, retryAfterMs) {
      failuresInARow += 1;
      if (retryAfterMs !== undefined) heldUntil = Math.max(heldUntil, now + Math.min(retryAfterMs, options.maxHoldMs));
      if (down()) nextProbeAt = Math.max(now + probeEveryMs, heldUntil);
      return failuresInARow === downAfter;
    },
    answered() {
      const wasDown = down();
      failuresInARow = 0;
      heldUntil = 0;
      nextProbeAt = 0;
      return wasDown;
    },
    open: (now) => !down() && now >= heldUntil,
    probeDue: (now) => down() && now >= nextProbeAt,
    resumesAt: () => (down() ? nextProbeAt : heldUntil),
    isDown: down,
  };
}
