import { createPostgresOpsStore } from '../../../../relay/src/adapters/postgres/postgres-ops-store';
import { createPostgresOutboxStore } from '../../../../relay/src/adapters/postgres/postgres-outbox-store';
import { createSqliteOpsStore } from '../../../../relay/src/adapters/sqlite/sqlite-ops-store';
import type { OpsStore } from '../../../../relay/src/ports/ops-store';
import type { OutboxCommand, OutboxStore } from '../../../../relay/src/ports/outbox-store';
import { openSharedTestDatabase, TEST_STORE, type TestDatabase } from '../../../helpers/test-store';

/**
 * A dead letter retried by hand (dashboard, `npm run retry-dead`) beside the newer commands its order queued after
 * it died: one command of an order in flight at a time, and an old status never written over a newer one. The
 * worker is on one connection (a relay), the retry on the other (the command-line tool, or another relay).
 */
describe(`${TEST_STORE}: a dead letter retried beside its order's newer commands`, () => {
  const now = 1_800_000_000_000;
  const write = (order: string, target: 'paid' | 'refunded', n = 1): OutboxCommand => ({
    kind: 'order_write', ref: `sandbox:evt_${order}_${target}_${n}`, sessionId: `ps_${order}`,
    intent: { target, transactionId: 'pay_1', note: `${target} ${n}` }, expected: { amountMinor: 1999, currency: 'EUR' },
  });
  const note = (order: string): OutboxCommand => ({ kind: 'order_note', ref: `sandbox:evt_${order}_note`, sessionId: `ps_${order}`, text: 'a note' });
  const fetch = (order: string): OutboxCommand => ({ kind: 'fetch_status', provider: 'mollie', providerPaymentRef: `tr_${order}`, merchantOrderId: order });
  const lease = (owner: string, at = now) => ({ owner, until: at + 60_000 });

  let shared: ReturnType<typeof openSharedTestDatabase>;
  let relay: TestDatabase;
  let tool: TestDatabase;
  let worker: OutboxStore;
  let ops: OpsStore;
  beforeEach(() => {
    shared = openSharedTestDatabase();
    [relay, tool] = shared.connections;
    worker = relay.stores.outbox;
    ops = tool.sqlite ? createSqliteOpsStore(tool.sqlite) : createPostgresOpsStore(tool.pg!);
  });
  afterEach(() => shared.close());

  /** A command of `order` that ran once and was given up on. */
  const deadOne = (order: string, command: OutboxCommand = write(order, 'paid')): number => {
    const id = worker.enqueue(order, command, now);
    expect(worker.markAttempt(id, now, lease('relay-a'))).toBe(true);
    expect(worker.markDead(id, 'woocommerce_rest_invalid_param: Invalid parameter(s): status', now, 'relay-a')).toBe(true);
    return id;
  };

  it('while a newer command of its order is in flight, the retry is refused and names it; once that one is done, the retry goes', () => {
    const dead = deadOne('7');
    const newer = worker.enqueue('7', write('7', 'refunded'), now + 1);
    expect(worker.claimDue(now + 1, 10).map((item) => item.id)).toEqual([newer]);
    expect(worker.markAttempt(newer, now + 1, lease('relay-a', now + 1))).toBe(true);

    // Retried now, the old command would be its order's head (the oldest pending) with no lease: due at once,
    // and run beside the newer one, writing the same order.
    expect(ops.retryDead(dead, now + 2)).toEqual({ kind: 'order_busy', commandId: newer });
    expect(worker.state(dead)?.state).toBe('dead');
    expect(ops.deadLetter(dead)).not.toBeNull();
    expect(tool.stores.outbox.claimDue(now + 2, 10)).toEqual([]);

    expect(worker.markDone(newer, now + 3, 'relay-a')).toBe(true);
    expect(ops.retryDead(dead, now + 4)).toEqual({ kind: 'retried' });
    expect(worker.claimDue(now + 4, 10).map((item) => [item.id, item.attempts])).toEqual([[dead, 1]]);
    // It comes after a newer write that was done: the worker must not write its status over that one's.
    expect(worker.newerWriteDone(dead)).toBe(newer);
  });

  it('a retry between a worker reading the heads and claiming one: the claim of the newer command fails, the dead letter goes first', () => {
    const dead = deadOne('7');
    const newer = worker.enqueue('7', write('7', 'refunded'), now + 1);
    // The worker read the heads (claimDue only reads on a store without claimAs: SQLite, and these tests' PostgreSQL stores)...
    expect(worker.claimDue(now + 1, 10).map((item) => item.id)).toEqual([newer]);
    // ...the tool retried the dead letter before the worker's claim (markAttempt) went through.
    expect(ops.retryDead(dead, now + 2)).toEqual({ kind: 'retried' });
    expect(worker.markAttempt(newer, now + 2, lease('relay-a', now + 2))).toBe(false);
    expect(worker.claimDue(now + 2, 10).map((item) => item.id)).toEqual([dead]);
    expect(worker.markAttempt(dead, now + 2, lease('relay-a', now + 2))).toBe(true);
    // Not overtaken: the newer write never ran, and runs after it, as they were queued.
    expect(worker.newerWriteDone(dead)).toBeNull();
    expect(worker.markDone(dead, now + 3, 'relay-a')).toBe(true);
    expect(worker.claimDue(now + 3, 10).map((item) => item.id)).toEqual([newer]);
  });

  it('a newer command waiting to try again is not in flight: the dead letter is retried ahead of it, in queue order', () => {
    const dead = deadOne('7');
    const newer = worker.enqueue('7', write('7', 'refunded'), now + 1);
    worker.markAttempt(newer, now + 1, lease('relay-a', now + 1));
    expect(worker.markRetry(newer, now + 60_000, 'service_unavailable: WooCommerce answered 503', now + 2, 'relay-a')).toBe(true);
    expect(ops.retryDead(dead, now + 3)).toEqual({ kind: 'retried' });
    expect(worker.claimDue(now + 3, 10).map((item) => item.id)).toEqual([dead]);
    expect(worker.newerWriteDone(dead)).toBeNull();
  });

  it('a lease that ran out (its worker died) does not hold a retry back', () => {
    const dead = deadOne('7');
    const newer = worker.enqueue('7', write('7', 'refunded'), now + 1);
    worker.markAttempt(newer, now + 1, lease('relay-dead', now + 1));
    relay.sql.run('UPDATE outbox SET lease_until = lease_until - 120000 WHERE id = ?', newer);
    expect(ops.retryDead(dead, now + 2)).toEqual({ kind: 'retried' });
  });

  it('only another command of the same order holds a retry back; not dead, or dismissed, is said as before', () => {
    const dead = deadOne('7');
    const other = worker.enqueue('8', write('8', 'paid'), now + 1);
    worker.markAttempt(other, now + 1, lease('relay-a', now + 1));
    expect(ops.retryDead(dead, now + 2)).toEqual({ kind: 'retried' });
    expect(ops.retryDead(dead, now + 3)).toEqual({ kind: 'not_dead' });
    expect(ops.retryDead(other, now + 3)).toEqual({ kind: 'not_dead' });
    const dismissed = deadOne('9');
    expect(ops.dismissDead(dismissed, now + 4)).toBe(true);
    expect(ops.retryDead(dismissed, now + 5)).toEqual({ kind: 'not_dead' });
  });

  it('newerWriteDone: a newer order write of the same order that is done; not a note, a provider command, another order, or one still to run', () => {
    const done = (order: string, command: OutboxCommand) => {
      const id = worker.enqueue(order, command, now + 1);
      relay.sql.run("UPDATE outbox SET state = 'done' WHERE id = ?", id);
      return id;
    };
    done('7', write('7', 'paid', 0));
    const dead = deadOne('7');
    done('7', note('7'));
    done('7', fetch('7'));
    done('8', write('8', 'refunded'));
    deadOne('7', write('7', 'refunded', 2));
    worker.enqueue('7', write('7', 'refunded', 3), now + 1);
    expect(worker.newerWriteDone(dead)).toBeNull();
    const newer = done('7', write('7', 'refunded', 4));
    expect(worker.newerWriteDone(dead)).toBe(newer);
    expect(worker.newerWriteDone(newer)).toBeNull();
  });

  it('newerWriteDone of a replay\'s copy: placed as the command it copies (a copy of a copy too), not by its own new id', () => {
    const doneNow = (id: number) => relay.sql.run("UPDATE outbox SET state = 'done' WHERE id = ?", id);
    const paid = worker.enqueue('7', write('7', 'paid'), now);
    doneNow(paid);
    const refund = worker.enqueue('7', write('7', 'refunded'), now + 1);
    doneNow(refund);
    const paidCopy = ops.requeueCopy(paid, now + 2)!;
    expect(paidCopy).toBeGreaterThan(refund);
    expect(worker.newerWriteDone(paidCopy)).toBe(refund);
    doneNow(paidCopy);
    // The refund's copy comes after the paid's copy, yet is the newest event's: nothing newer was written.
    const refundCopy = ops.requeueCopy(refund, now + 3)!;
    expect(worker.newerWriteDone(refundCopy)).toBeNull();
    doneNow(refundCopy);
    expect(worker.newerWriteDone(ops.requeueCopy(paidCopy, now + 4)!)).toBe(refundCopy);
  });

  (TEST_STORE === 'postgres' ? it : it.skip)('PostgreSQL fleet: a relay\'s claim takes its lease at once (claimDue), so a retry right after it is refused', () => {
    const fleetWorker = createPostgresOutboxStore(relay.pg!, { claimAs: { owner: 'relay-a', leaseMs: 10_000 } });
    const dead = deadOne('7');
    const newer = worker.enqueue('7', write('7', 'refunded'), now + 1);
    expect(fleetWorker.claimDue(now + 1, 10).map((item) => item.id)).toEqual([newer]);
    expect(ops.retryDead(dead, now + 2)).toEqual({ kind: 'order_busy', commandId: newer });
  });
});
