import type { OrderWriteIntent } from '../domain/decide';
import type { ProviderId } from '../domain/provider-event';

/** The slow work the HTTP layer never does: writes to the shop and calls to providers, done by the worker. */
export type OutboxCommand =
  | {
      kind: 'order_write';
      /** `provider:eventId`, carried into the note so a retried write finds its own note. */
      ref: string;
      sessionId: string;
      intent: OrderWriteIntent;
      expected: { amountMinor: number; currency: string };
    }
  | { kind: 'order_note'; ref: string; sessionId: string | null; text: string }
  /** `merchantOrderId` is null when no session matches yet: the queue key is then the provider's reference. */
  | { kind: 'fetch_status'; provider: ProviderId; providerPaymentRef: string; merchantOrderId: string | null }
  | { kind: 'expire_at_provider'; provider: ProviderId; providerSessionId: string; sessionId: string }
  /** Take the money of an approved payment (PayPal); the answer is recorded like a fetched status. */
  | { kind: 'capture_at_provider'; provider: ProviderId; providerSessionId: string; sessionId: string };

/** The commands that write to the shop; the others only talk to providers, and run while the shop is down. */
export const SHOP_COMMAND_KINDS = ['order_write', 'order_note'] as const satisfies ReadonlyArray<OutboxCommand['kind']>;
/** The rest. Listed too (the storage indexes them apart); a kind left out of both lists fails to compile. */
export const PROVIDER_COMMAND_KINDS = ['fetch_status', 'expire_at_provider', 'capture_at_provider'] as const satisfies ReadonlyArray<
  Exclude<OutboxCommand['kind'], (typeof SHOP_COMMAND_KINDS)[number]>
>;
type Unlisted = Exclude<OutboxCommand['kind'], (typeof SHOP_COMMAND_KINDS)[number] | (typeof PROVIDER_COMMAND_KINDS)[number]>;
const everyKindListed: [Unlisted] extends [never] ? true : never = true;
void everyKindListed;

export function touchesShop(command: OutboxCommand): boolean {
  return (SHOP_COMMAND_KINDS as ReadonlyArray<string>).includes(command.kind);
}

/**
 * `shopCommands: false` leaves out queues whose next command writes to the shop (the shop is paused).
 * `exceptOrderKeys` leaves out orders this worker holds already: on SQLite a claim is only read until its lease
 * is committed, and one order must never have two commands (or one command twice) in flight.
 */
export interface ClaimFilter {
  shopCommands?: boolean;
  exceptOrderKeys?: readonly string[];
}

export interface OutboxItem {
  id: number;
  /** Commands of one order run in order, one at a time (the queue key). */
  orderKey: string;
  command: OutboxCommand;
  attempts: number;
}

/** What a coalesced enqueue did: the queued command already covers a repeat, or one more run was asked for. */
export type CoalescedEnqueue = { kind: 'queued'; id: number } | { kind: 'already_queued'; id: number } | { kind: 'rerun_requested'; id: number };

export interface OutboxStore {
  enqueue(orderKey: string, command: OutboxCommand, now: number): number;
  /**
   * At most one pending command per `coalesceKey` (one fetch per Mollie payment, however many pings). A repeat
   * while that command has not started adds nothing; one while it runs (or waits to retry after starting) makes
   * it run once more after it succeeds, because what it read may already be stale.
   */
  enqueueCoalesced(coalesceKey: string, orderKey: string, command: OutboxCommand, now: number): CoalescedEnqueue;
  /** The oldest pending command of each order that is due and not leased by a worker, at most `limit` orders. */
  claimDue(now: number, limit: number, filter?: ClaimFilter): OutboxItem[];
  /**
   * Counted before the slow call: a crash mid-call leaves attempts > 1, which makes the retry check for its own
   * note. Also clears a coalesced command's rerun request: this run reads the latest state. With a lease it is
   * the claim: false when another worker holds a live lease on it (that worker runs it; this one must not), or
   * when it is no longer its order's head (a dead letter of its order was retried since claimDue read it: that
   * one runs first, and the two must not run at once).
   * The lease lasts `until - now`: on PostgreSQL, which a fleet of relays shares, by the database's clock (the
   * relays' own clocks may disagree); on SQLite, one relay per file, by the caller's.
   */
  markAttempt(id: number, now: number, lease?: { owner: string; until: number }): boolean;
  /**
   * Does `owner` still hold a live lease on this pending command? Asked right before each write a command makes:
   * a worker that stalled past its lease (a paused VM, a blocked loop) must not write what the worker that took
   * the command over may be writing too. By the same clock as markAttempt's lease.
   */
  holdsLease(id: number, owner: string, now: number): boolean;
  /**
   * Done, unless a rerun was requested while it ran: then it is due again at once, as a fresh command. With
   * `owner`, the outcomes below apply only while that worker still holds the lease: once it passed to another
   * worker (running it, waiting to retry it, or done with it) a late outcome is dropped. Each clears the lease;
   * each says whether it applied.
   */
  markDone(id: number, now: number, owner?: string | null): boolean;
  markRetry(id: number, nextAttemptAt: number, error: string, now: number, owner?: string | null): boolean;
  /**
   * Gives a claimed command back untried: the attempt markAttempt counted is taken back and the lease cleared, so
   * it is due as before. Only for a command the shop never saw (its order could not be read, the shop is down,
   * the worker stopped first): an attempt that may have reached the shop must stay counted.
   */
  release(id: number, now: number, owner?: string | null): void;
  markDead(id: number, error: string, now: number, owner?: string | null): boolean;
  hasPending(orderKey: string): boolean;
  /**
   * The newest order write of this command's order that is done and was queued after it, or null. Only a dead
   * letter retried by hand or a replay's copy can run after a newer write of its order (heads only, otherwise):
   * its status is then older than the one that write made, and the worker must not write it over that one. A
   * copy is placed as the command it copies (OpsStore.requeueCopy), not by its own, newer id.
   */
  newerWriteDone(id: number): number | null;
  state(id: number): { state: 'pending' | 'done' | 'dead'; attempts: number; lastError: string | null } | null;
  /**
   * Exact, and cheap at any store size (index ranges over the pending and dead rows only): /healthz, /metrics and
   * the diagnostics call it on every probe. Dead letters a person dismissed are not counted (they are dealt with;
   * see OpsStore.dismissDead).
   */
  counts(): { pending: number; dead: number };
  /** How many commands are done: reads every done row (160 ms at a million on SQLite), so never on a request's path. */
  countDone(): number;
  /** When, by the caller's clock (`now`), the next command that claimDue could return is due (to sleep until then), or null. */
  nextDueAt(now: number, filter?: ClaimFilter): number | null;
  /** Removes up to `limit` of the oldest commands done before `before` (pending and dead ones stay); how many. */
  pruneBatch(before: number, limit: number): number;
  /** How many pruneBatch would remove in all (a dry run: reads only). */
  countPrunable(before: number): number;
}
