import crypto from 'node:crypto';
import os from 'node:os';
import { assertNever } from '../domain/payment-status';
import { providerDisplayName } from '../domain/provider-names';
import { nextAttemptAt, type RetryPolicy } from '../domain/retry-policy';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { CommandOutcome, RelayMetrics } from '../ports/metrics';
import { touchesShop, type OutboxItem } from '../ports/outbox-store';
import { CLAIM_LOST, executeOutboxCommand, type CommandDeps } from '../app/execute-outbox-command';

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
}

export const DEFAULT_LEASE_MS = 5 * 60_000;

export function workerOwnerId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

export interface OutboxWorker {
  start(): void;
  /** Finishes the command in hand, then stops (SIGTERM drain). */
  stop(): Promise<void>;
  /** One pass over what is due; returns how many commands ran. For tests and scripts. */
  runOnce(): Promise<number>;
  /** Wake up now (a new command was queued). */
  poke(): void;
  /** When the worker next has something to do: the next due command, or later while the shop is paused. */
  nextWakeAt(): number | null;
  /** The commands being run right now (from their claim to their recorded outcome): the leases worth renewing. */
  commandsInHand(): number[];
}

/** After this many shop failures in a row (any orders), the worker pauses instead of hammering a shop that is down. */
const SHOP_DOWN_AFTER = 3;

/** The only code that talks to the shop. Single flight: one pass at a time, stoppable, never inside a request. */
export function createOutboxWorker(deps: CommandDeps & { logger: Logger; clock: Clock }, options: OutboxWorkerOptions): OutboxWorker {
  const { outbox, log, alerts } = deps.stores;
  const owner = options.owner ?? workerOwnerId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  let running: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = 0;
  let stopped = true;
  // A shop that is down fails every order alike: back off as a whole, then probe with one command.
  let shopFailuresInARow = 0;
  let shopPausedUntil = 0;
  const inHand = new Set<number>();

  const runItem = async (item: OutboxItem): Promise<void> => {
    inHand.add(item.id);
    try {
      await runClaimed(item);
    } finally {
      inHand.delete(item.id);
    }
  };

  const runClaimed = async (item: OutboxItem): Promise<void> => {
    const attemptNumber = item.attempts + 1;
    // On disk before the shop is called: after a crash, attempts > 0 tells the next try to look before it writes.
    // It is also the claim: when another worker got there first, that one runs it and this one does nothing.
    const claimedAt = deps.clock.now();
    const claimed = await deps.unitOfWork.commitDurably(() => outbox.markAttempt(item.id, claimedAt, { owner, until: claimedAt + leaseMs }));
    if (!claimed) {
      deps.logger.info('outbox command claimed by another worker', { id: item.id });
      return;
    }
    const started = deps.clock.now();
    const timer = performance.now();
    let result;
    try {
      // Asked before each write: a worker that stalled past its lease writes nothing the next holder may write too.
      result = await executeOutboxCommand(deps, item, () => outbox.holdsLease(item.id, owner, deps.clock.now()));
    } catch (bug) {
      result = { ok: false as const, error: { kind: 'retryable' as const, code: 'internal_error', message: String(bug) } };
    }
    // Nothing to record: the command is another worker's now, or anyone's again (its lease ran out, attempts counted).
    if (!result.ok && result.error.code === CLAIM_LOST.code) return lostLease(item, CLAIM_LOST.code);
    const now = deps.clock.now();
    const sessionId = 'sessionId' in item.command ? item.command.sessionId : null;
    const orderId = item.command.kind === 'fetch_status' ? (item.command.merchantOrderId ?? null) : item.orderKey;
    const base = { at: now, merchantOrderId: orderId, sessionId, provider: null };
    const subject = describe(item);
    const observe = (outcome: CommandOutcome) => options.metrics?.command(item.command.kind, touchesShop(item.command), outcome, (performance.now() - timer) / 1000);
    if (touchesShop(item.command)) {
      if (result.ok || result.error.kind !== 'retryable') shopFailuresInARow = 0;
      else if (++shopFailuresInARow >= SHOP_DOWN_AFTER) {
        const pauseStep = Math.min(shopFailuresInARow - SHOP_DOWN_AFTER + 1, options.policy.maxAttempts - 1);
        shopPausedUntil = nextAttemptAt({ ...options.policy, maxAttempts: Number.MAX_SAFE_INTEGER }, pauseStep, now, result.error.retryAfterMs, options.random) ?? now;
        if (shopFailuresInARow === SHOP_DOWN_AFTER) deps.logger.warn('shop looks down: pausing shop writes', { until: new Date(shopPausedUntil).toISOString(), code: result.error.code });
      }
    }
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

  const pass = async (): Promise<number> => {
    const now = deps.clock.now();
    // While the shop is paused, commands that only talk to providers (closing a session, asking Mollie) go on.
    const paused = now < shopPausedUntil;
    const items = outbox.claimDue(now, !paused && shopFailuresInARow >= SHOP_DOWN_AFTER ? 1 : options.concurrency, { shopCommands: !paused });
    // Every item settles before the pass ends: if one item's bookkeeping throws while another still waits for
    // the shop, ending early would let the next pass claim that one again and write it twice.
    const settled = await Promise.allSettled(items.map(runItem));
    for (const outcome of settled) {
      if (outcome.status === 'rejected') deps.logger.error('outbox bookkeeping failed; the command stays pending', { error: String(outcome.reason) });
    }
    // Only commands that ran count: when the bookkeeping itself fails the loop waits, rather than spin on it.
    return settled.filter((outcome) => outcome.status === 'fulfilled').length;
  };

  const nextWakeAt = (): number | null => {
    const now = deps.clock.now();
    const due = outbox.nextDueAt(now);
    if (due === null || due >= shopPausedUntil) return due;
    // Shop commands wait for the pause to end; provider-only ones do not.
    const providerDue = outbox.nextDueAt(now, { shopCommands: false });
    return providerDue === null ? shopPausedUntil : Math.min(providerDue, shopPausedUntil);
  };

  const runOnce = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };

  const schedule = (delay: number): void => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timerAt = deps.clock.now() + delay;
    timer = setTimeout(loop, delay);
  };

  const loop = async (): Promise<void> => {
    timer = null;
    let ran = 0;
    try {
      ran = await runOnce();
    } catch (failure) {
      deps.logger.error('outbox pass failed', { error: String(failure) });
    }
    if (ran > 0) return schedule(0);
    const due = nextWakeAt();
    const wait = due === null ? options.pollMs : Math.max(0, Math.min(options.pollMs, due - deps.clock.now()));
    schedule(wait);
  };

  return {
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
    runOnce,
    nextWakeAt,
    commandsInHand: () => [...inHand],
    poke() {
      // Called for every stored webhook: cheap when a pass is running or about to run anyway.
      // While the shop is paused the timer already points at the end of the pause: new work changes nothing.
      const now = deps.clock.now();
      if (stopped || running || (timer && (timerAt <= now || now < shopPausedUntil))) return;
      schedule(0);
    },
  };
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
