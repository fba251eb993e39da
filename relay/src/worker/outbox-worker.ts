import crypto from 'node:crypto';
import os from 'node:os';
import { assertNever } from '../domain/payment-status';
import { providerDisplayName } from '../domain/provider-names';
import { nextAttemptAt, type RetryPolicy } from '../domain/retry-policy';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { CommandOutcome, RelayMetrics } from '../ports/metrics';
import type { GatewayFailure } from '../ports/order-gateway';
import { touchesShop, type OutboxItem } from '../ports/outbox-store';
import { CLAIM_LOST, executeOutboxCommand, type CommandDeps, type CommandResult } from '../app/execute-outbox-command';
import type { EarlierRead } from '../app/earlier-read';
import { createShopPause } from './shop-pause';

export interface OutboxWorkerOptions {
  policy: RetryPolicy;
  /** How many different orders are written at once; one order is always one at a time. */
  concurrency: number;
  pollMs: number;
  random?: () => number;
  /** Counts each attempt's outcome (/metrics). */
  metrics?: RelayMetrics;
  /**
   * Who this worker is, in its leases (`host:pid:random` by default). Another worker on the same file never runs
   * a command this one holds; when this one dies, its lease runs out (or the next relay to take the file's lock
   * clears it) and the command is taken over.
   */
  owner?: string;
  /** How long a claim holds; far longer than one command can take (a few shop calls, each with its timeout). */
  leaseMs?: number;
  /**
   * How many commands one claim takes, their orders read in one request (4 × concurrency by default, at most the
   * 100 a WooCommerce list page holds). Small enough that the last of a batch is written while its read is trusted.
   */
  batchSize?: number;
  /** While the shop is down, how often to ask whether it is back (PROBE_EVERY_MS). */
  probeEveryMs?: number;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;

export function workerOwnerId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

export interface OutboxWorker {
  start(): void;
  /** Finishes the commands in hand, gives back the ones claimed but not started, then stops (SIGTERM drain). */
  stop(): Promise<void>;
  /** Runs what is due until nothing more is (joining a run already going); how many commands ran. For tests and scripts. */
  runOnce(): Promise<number>;
  /** Wake up now (a new command was queued). */
  poke(): void;
  /** When the worker next has something to do: the next due command, or the next probe while the shop is down. */
  nextWakeAt(): number | null;
  /** The commands claimed and not yet settled or given back (waiting for a slot, or running): the leases worth renewing. */
  commandsInHand(): number[];
}

/**
 * The only code that talks to the shop. A pool: up to `concurrency` commands in flight, never two of one order;
 * commands are claimed in batches whose orders are read in one request, the next batch claimed and read while
 * the last one's writes run. Stoppable, never inside a request.
 */
export function createOutboxWorker(deps: CommandDeps & { logger: Logger; clock: Clock }, options: OutboxWorkerOptions): OutboxWorker {
  const { outbox, log, alerts } = deps.stores;
  const owner = options.owner ?? workerOwnerId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const batchSize = Math.max(1, Math.min(100, options.batchSize ?? 4 * options.concurrency));
  // A shop that is down fails every order alike: stop sending commands, probe cheaply until it answers.
  const pause = createShopPause({ probeEveryMs: options.probeEveryMs, maxHoldMs: options.policy.maxDelayMs });
  // A probe found the shop back and no batch has been read since (see readOrders).
  let shopJustBack = false;
  // Orders whose command this worker has claimed and not yet settled (order key → command id): never claimed
  // twice, never two at once; their leases are the ones the fleet heartbeat renews.
  const held = new Map<string, number>();
  let cycle: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = 0;
  // Not started: the timer does not run (runOnce still does). Stopping: the cycle hands back what it holds.
  let stopped = true;
  let stopping = false;
  // Something new may be due (a poke, a command settled): the running cycle claims again. `wake` ends its wait.
  let wanted = false;
  let wake: (() => void) | null = null;
  const want = () => {
    wanted = true;
    wake?.();
  };

  const shopAnswered = () => {
    if (pause.answered()) deps.logger.info('shop answers again: shop writes resume');
  };
  const shopFailed = (failure: GatewayFailure) => {
    const now = deps.clock.now();
    if (pause.failed(now, failure.retryAfterMs)) deps.logger.warn('shop looks down: pausing shop writes, probing until it answers', { code: failure.code, next: new Date(pause.resumesAt()).toISOString() });
  };

  /** Due commands of orders not in hand, leased to this worker in one commit; each counts an attempt before the shop sees it. */
  const claim = async (limit: number): Promise<OutboxItem[]> => {
    const now = deps.clock.now();
    // While the shop is paused, commands that only talk to providers (closing a session, asking Mollie) go on.
    const due = outbox.claimDue(now, limit, { shopCommands: pause.open(now), exceptOrderKeys: [...held.keys()] });
    if (due.length === 0) return [];
    for (const item of due) held.set(item.orderKey, item.id);
    let claimed: boolean[];
    try {
      // On disk before the shop is called: after a crash, attempts > 0 tells the next try to look before it writes.
      // It is also the claim: when another worker got there first, that one runs it and this one does nothing.
      claimed = await deps.unitOfWork.commitDurably(() => due.map((item) => outbox.markAttempt(item.id, now, { owner, until: now + leaseMs })));
    } catch (failure) {
      for (const item of due) held.delete(item.orderKey);
      throw failure;
    }
    return due.filter((item, i) => {
      if (claimed[i]) return true;
      held.delete(item.orderKey);
      deps.logger.info('outbox command claimed by another worker', { id: item.id });
      return false;
    });
  };

  /** Back to the queue untried (the shop never saw them): their attempts are not used up. */
  const release = async (items: OutboxItem[]): Promise<void> => {
    if (items.length === 0) return;
    const now = deps.clock.now();
    try {
      await deps.unitOfWork.commitDurably(() => items.forEach((item) => outbox.release(item.id, now, owner)));
    } finally {
      // Even when the commit failed: the leases run out, and the next claim counts a second attempt (a safe extra look).
      for (const item of items) held.delete(item.orderKey);
    }
  };

  /**
   * One read for the orders of a batch. When it fails the way a down shop does, the shop commands go back untried
   * (no attempt used, no backoff grown while the shop is away). Right after a probe found the shop back, a failing
   * list is these orders' trouble (one order WooCommerce cannot list fails them all): each command then reads its
   * own order, and a failure there is its own, with its backoff, so one bad order never holds up the queue.
   */
  const readOrders = async (items: OutboxItem[]): Promise<Ready[]> => {
    const unread = items.map((item) => ({ item, read: null }));
    const ids = [...new Set(items.filter((item) => item.command.kind === 'order_write').map((item) => item.orderKey))];
    // One order is read by its command, just before it writes: as cheap, and fresh enough for any plan.
    if (ids.length < 2) return unread;
    const afterProbe = shopJustBack;
    shopJustBack = false;
    const sentAt = deps.clock.now();
    const read = await deps.gateway.getOrders(ids);
    if (read.ok) {
      shopAnswered();
      const byId = new Map(read.value.map((order) => [order.id, order]));
      // An order the list left out (deleted, a status it does not list) is read by its command, which meets its 404.
      return items.map((item) => {
        const order = item.command.kind === 'order_write' ? byId.get(item.orderKey) : undefined;
        return { item, read: order ? { order, sentAt } : null };
      });
    }
    // Any other answer (401, a body that is not a list): each command reads its own order and meets it there.
    if (read.error.kind !== 'retryable') {
      shopAnswered();
      return unread;
    }
    shopFailed(read.error);
    if (afterProbe) return unread;
    await release(items.filter((item) => touchesShop(item.command)));
    return unread.filter((entry) => !touchesShop(entry.item.command));
  };

  const probe = async (): Promise<void> => {
    const answer = await deps.gateway.ping();
    if (answer.ok || answer.error.kind !== 'retryable') {
      shopAnswered();
      shopJustBack = true;
    } else shopFailed(answer.error);
  };

  const fetchBatch = async (limit: number): Promise<Ready[]> => {
    // Probed only for work that is due: a down shop with nothing to write for it is left alone.
    const now = deps.clock.now();
    if (pause.probeDue(now) && (outbox.nextDueAt(now) ?? Infinity) <= now) await probe();
    const claimed = await claim(limit);
    return claimed.length === 0 ? [] : readOrders(claimed);
  };

  /** The command's calls to the shop or provider; never throws (a bug is a retryable failure). */
  const attempt = async ({ item, read }: Ready): Promise<Attempt> => {
    const started = deps.clock.now();
    const timer = performance.now();
    let result: CommandResult;
    try {
      // Asked before each write: a worker that stalled past its lease writes nothing the next holder may write too.
      result = await executeOutboxCommand(deps, item, () => outbox.holdsLease(item.id, owner, deps.clock.now()), read);
    } catch (bug) {
      result = { ok: false as const, error: { kind: 'retryable' as const, code: 'internal_error', message: String(bug) } };
    }
    // Known before the next command starts: a shop that just went down gets no more. A lost claim says nothing of the shop.
    const claimLost = !result.ok && result.error.code === CLAIM_LOST.code;
    if (touchesShop(item.command) && !claimLost) {
      if (result.ok || result.error.kind !== 'retryable') shopAnswered();
      else shopFailed(result.error);
      if (result.ok) shopJustBack = false;
    }
    return { item, result, started, timer };
  };

  /** The outcome on disk, with its payment log entry; only then may the order's next command run. */
  const settle = async ({ item, result, started, timer }: Attempt): Promise<void> => {
    // Nothing to record: the command is another worker's now, or anyone's again (its lease ran out, attempts counted).
    if (!result.ok && result.error.code === CLAIM_LOST.code) return lostLease(item, CLAIM_LOST.code);
    const attemptNumber = item.attempts + 1;
    const now = deps.clock.now();
    const sessionId = 'sessionId' in item.command ? item.command.sessionId : null;
    const orderId = item.command.kind === 'fetch_status' ? (item.command.merchantOrderId ?? null) : item.orderKey;
    const base = { at: now, merchantOrderId: orderId, sessionId, provider: null };
    const subject = describe(item);
    const observe = (outcome: CommandOutcome) => options.metrics?.command(item.command.kind, touchesShop(item.command), outcome, (performance.now() - timer) / 1000);
    // Each outcome commits with its log entry, group-committed: the HTTP loop never waits for a lock or a disk.
    if (result.ok) {
      await deps.unitOfWork.commitDurably(() => {
        outbox.markDone(item.id, now, owner);
        if (item.command.kind === 'order_write' || item.command.kind === 'order_note') {
          log.append({ ...base, kind: 'order_updated', message: `Shop order ${item.orderKey} updated: ${result.summary}.`, data: { outboxId: item.id, attempt: attemptNumber, ms: now - started } });
        }
      });
      observe('done');
      deps.logger.info('outbox command done', { id: item.id, kind: item.command.kind, order: item.orderKey, attempt: attemptNumber, ms: now - started });
      return;
    }
    const failure = result.error;
    const retryAt = failure.kind === 'retryable' ? nextAttemptAt(options.policy, attemptNumber, now, failure.retryAfterMs, options.random) : null;
    if (retryAt !== null) {
      const recorded = await deps.unitOfWork.commitDurably(() => {
        if (!outbox.markRetry(item.id, retryAt, `${failure.code}: ${failure.message}`, now, owner)) return false;
        log.append({
          ...base,
          kind: 'order_update_retry',
          message: `Could not ${subject.task} (${failure.message}); trying again in ${Math.round((retryAt - now) / 1000)} s (attempt ${attemptNumber}).`,
          data: { outboxId: item.id, code: failure.code, httpStatus: failure.httpStatus },
        });
        return true;
      });
      if (!recorded) return lostLease(item, failure.code);
      observe('retry');
      deps.logger.warn('outbox command will retry', { id: item.id, code: failure.code, attempt: attemptNumber });
      return;
    }
    const why = failure.kind === 'retryable' ? `gave up after ${attemptNumber} attempts: ${failure.message}` : failure.message;
    const recorded = await deps.unitOfWork.commitDurably(() => {
      if (!outbox.markDead(item.id, `${failure.code}: ${why}`, now, owner)) return false;
      log.append({ ...base, kind: 'order_update_failed', message: `${subject.failed}: ${why}. ${subject.followUp}`, data: { outboxId: item.id, code: failure.code, httpStatus: failure.httpStatus } });
      if (orderId) alerts.raise({ at: now, merchantOrderId: orderId, sessionId, code: 'dead_letter', message: `Order ${orderId}: ${subject.failed.charAt(0).toLowerCase()}${subject.failed.slice(1)}: ${why}` });
      return true;
    });
    if (!recorded) return lostLease(item, failure.code);
    observe('dead');
    deps.logger.error('outbox command dead-lettered', { id: item.id, code: failure.code, attempt: attemptNumber });
  };

  // This worker stalled past its lease and another took the command over: that one's outcome stands. No retry
  // note and no dead letter from here (a "NOT updated" alert for an order the other worker wrote would be false).
  const lostLease = (item: OutboxItem, code: string): void => {
    deps.logger.warn('outbox command was taken over by another worker meanwhile; its outcome here is dropped', { id: item.id, kind: item.command.kind, order: item.orderKey, code });
  };

  /**
   * Claims and runs until nothing more is due: a slot that frees takes the next ready command, and the next batch
   * is claimed and read while fewer than `concurrency` are ready, so the shop's workers never wait for our reads.
   * A slot is a command talking to the shop; its outcome commits after the slot is free (the order stays held
   * until then), so the commit's disk wait is not a gap in what the shop is given.
   */
  const runCycle = async (): Promise<number> => {
    let ran = 0;
    const ready: Ready[] = [];
    const inFlight = new Set<Promise<void>>();
    const settling = new Set<Promise<void>>();
    let fetching: Promise<void> | null = null;
    let claimFailure: unknown = null;
    let stoppedClaiming = false;
    wanted = true;
    for (;;) {
      // Stopping, or the shop paused since these were read: back untried rather than sent into a failure.
      const giveBack = stopping ? ready.splice(0) : ready.length > 0 && !pause.open(deps.clock.now()) ? pluck(ready, (entry) => touchesShop(entry.item.command)) : [];
      if (giveBack.length > 0) await release(giveBack.map((entry) => entry.item)).catch((error) => deps.logger.error('could not give back claimed outbox commands; their leases run out', { error: String(error) }));
      while (inFlight.size < options.concurrency && ready.length > 0) {
        const entry = ready.shift()!;
        const slot: Promise<void> = attempt(entry)
          .then((attempted) => {
            const outcome: Promise<void> = settle(attempted)
              .then(
                () => void (ran += 1),
                // Every outcome commits before the cycle ends: if one item's bookkeeping throws while another still
                // waits for the shop, ending early would let the next cycle claim that one again and write it twice.
                (error) => deps.logger.error('outbox bookkeeping failed; the command stays pending', { error: String(error) }),
              )
              .finally(() => {
                held.delete(entry.item.orderKey);
                settling.delete(outcome);
                want();
              });
            settling.add(outcome);
          })
          .finally(() => {
            inFlight.delete(slot);
            want();
          });
        inFlight.add(slot);
      }
      if (!fetching && wanted && !stopping && !stoppedClaiming && ready.length < options.concurrency) {
        wanted = false;
        fetching = fetchBatch(batchSize)
          .then(
            (items) => {
              ready.push(...items);
              // A full batch leaves more behind; released ones are due again, and the pause decides for them.
              if (items.length > 0) wanted = true;
            },
            (error) => {
              // Nothing more is claimed this cycle; it ends with the failure, and the loop waits a poll before the next.
              claimFailure = error;
              stoppedClaiming = true;
            },
          )
          .finally(() => {
            fetching = null;
          });
      }
      if (inFlight.size === 0 && settling.size === 0 && !fetching && ready.length === 0) {
        if (stoppedClaiming) throw claimFailure;
        return ran;
      }
      await Promise.race([...inFlight, ...settling, ...(fetching ? [fetching] : []), new Promise<void>((resolve) => (wake = resolve))]);
      wake = null;
    }
  };

  const nextWakeAt = (): number | null => {
    const now = deps.clock.now();
    const due = outbox.nextDueAt(now);
    const resumesAt = pause.resumesAt();
    if (due === null || due >= resumesAt) return due;
    // Shop commands wait for the shop (the next probe, a Retry-After); provider-only ones do not.
    const providerDue = outbox.nextDueAt(now, { shopCommands: false });
    return providerDue === null ? resumesAt : Math.min(providerDue, resumesAt);
  };

  const runOnce = (): Promise<number> => {
    cycle ??= runCycle().finally(() => {
      cycle = null;
    });
    return cycle;
  };

  const schedule = (delay: number): void => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timerAt = deps.clock.now() + delay;
    timer = setTimeout(loop, delay);
  };

  const loop = async (): Promise<void> => {
    timer = null;
    try {
      await runOnce();
    } catch (failure) {
      // Waits a poll rather than spin on a store that fails.
      deps.logger.error('outbox pass failed', { error: String(failure) });
      return schedule(options.pollMs);
    }
    const due = nextWakeAt();
    const wait = due === null ? options.pollMs : Math.max(0, Math.min(options.pollMs, due - deps.clock.now()));
    schedule(wait);
  };

  return {
    start() {
      stopped = false;
      stopping = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      wake?.();
      try {
        if (cycle) await cycle;
      } finally {
        stopping = false;
      }
    },
    runOnce,
    nextWakeAt,
    commandsInHand: () => [...held.values()],
    poke() {
      // Called for every stored webhook: cheap when a cycle is running or about to run anyway.
      // While the shop is paused the timer already points at the next probe: new work changes nothing.
      if (stopped) return;
      if (cycle) return want();
      const now = deps.clock.now();
      if (timer && (timerAt <= now || !pause.open(now))) return;
      schedule(0);
    },
  };
}

/** What one attempt came to, before it is on disk. */
interface Attempt {
  item: OutboxItem;
  result: CommandResult;
  started: number;
  /** performance.now() at the start, for the metrics' duration. */
  timer: number;
}

/** A claimed command, with its order as the batch read showed it (null: the command reads it itself). */
interface Ready {
  item: OutboxItem;
  read: EarlierRead | null;
}

/** Removes and returns the items that match, keeping the others in order. */
function pluck<T>(items: T[], matches: (item: T) => boolean): T[] {
  const taken = items.filter(matches);
  const kept = items.filter((item) => !matches(item));
  items.splice(0, items.length, ...kept);
  return taken;
}

/** What a command was doing, for the payment log: a provider lookup that fails is not the shop's fault. */
function describe(item: OutboxItem): { task: string; failed: string; followUp: string } {
  const command = item.command;
  switch (command.kind) {
    case 'order_write':
    case 'order_note':
      return { task: `reach the shop for order ${item.orderKey}`, failed: `The shop order ${item.orderKey} was NOT updated`, followUp: 'Check the order by hand.' };
    case 'fetch_status': {
      const name = providerDisplayName(command.provider);
      return { task: `ask ${name} about payment ${command.providerPaymentRef}`, failed: `${name} could not be asked about payment ${command.providerPaymentRef}`, followUp: `Check the payment at ${name}.` };
    }
    case 'expire_at_provider': {
      const name = providerDisplayName(command.provider);
      return { task: `close session ${command.providerSessionId} at ${name}`, failed: `Session ${command.providerSessionId} was NOT closed at ${name}`, followUp: `Close it at ${name} by hand if it is still open.` };
    }
    case 'capture_at_provider': {
      const name = providerDisplayName(command.provider);
      return { task: `capture approved payment ${command.providerSessionId} at ${name}`, failed: `The approved payment ${command.providerSessionId} was NOT captured at ${name}`, followUp: `Capture it in the ${name} dashboard, or ask the customer to pay again.` };
    }
    default:
      return assertNever(command);
  }
}
