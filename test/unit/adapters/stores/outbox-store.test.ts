import type { OutboxCommand } from '../../../../relay/src/ports/outbox-store';
import { openTestDatabase, TEST_STORE, type TestDatabase } from '../../../helpers/test-store';

// One suite, two entry points: SQLite by default, PostgreSQL under PAYRELAY_TEST_STORE=postgres.
const opened: TestDatabase[] = [];
const open = () => {
  const db = openTestDatabase();
  opened.push(db);
  return db;
};
afterAll(() => opened.splice(0).forEach((db) => db.close()));

/** The outbox's queue rules as SQL: heads only, in due order, and provider-only commands while the shop is paused. */
describe(`${TEST_STORE} outbox: which commands are due`, () => {
  const now = 1_800_000_000_000;
  const write = (order: string): OutboxCommand => ({
    kind: 'order_write', ref: `sandbox:evt_${order}`, sessionId: `ps_${order}`,
    intent: { kind: 'mark_paid', transactionId: 'pay', amountMinor: 1999, currency: 'EUR', note: 'n' } as never,
    expected: { amountMinor: 1999, currency: 'EUR' },
  } as OutboxCommand);
  const expire = (order: string): OutboxCommand => ({ kind: 'expire_at_provider', provider: 'stripe', providerSessionId: `cs_${order}`, sessionId: `ps_${order}` });
  const fetch = (order: string): OutboxCommand => ({ kind: 'fetch_status', provider: 'mollie', providerPaymentRef: `tr_${order}`, merchantOrderId: order });

  function storeWith(commands: Array<[order: string, command: OutboxCommand, dueIn: number]>) {
    const db = open();
    const outbox = db.stores.outbox;
    db.stores.unitOfWork.transaction(() => {
      for (const [order, command, dueIn] of commands) {
        const id = outbox.enqueue(order, command, now);
        db.sql.run('UPDATE outbox SET next_attempt_at = ? WHERE id = ?', now + dueIn, id);
      }
    });
    return outbox;
  }

  it('only the head of each order queue is due, oldest due time first', () => {
    const outbox = storeWith([['1', write('1'), 0], ['1', expire('1'), -50], ['2', write('2'), -10], ['3', write('3'), 60_000]]);
    expect(outbox.claimDue(now, 10).map((item) => [item.orderKey, item.command.kind])).toEqual([['2', 'order_write'], ['1', 'order_write']]);
    expect(outbox.nextDueAt(now)).toBe(now - 10);
  });

  it('while the shop is paused: provider-only heads, among thousands of pending shop writes', () => {
    const commands: Array<[string, OutboxCommand, number]> = Array.from({ length: 3000 }, (_, i) => [String(1000 + i), write(String(1000 + i)), -1]);
    commands.push(['7', expire('7'), -5], ['8', fetch('8'), 30_000], ['9', write('9'), -1], ['9', expire('9'), -100]);
    const outbox = storeWith(commands);
    // Order 9's expiry waits behind its shop write: one order, one command at a time, even while paused.
    expect(outbox.claimDue(now, 10, { shopCommands: false }).map((item) => [item.orderKey, item.command.kind])).toEqual([['7', 'expire_at_provider']]);
    expect(outbox.nextDueAt(now, { shopCommands: false })).toBe(now - 5);
    // With the shop up, every head is due in its own order.
    expect(outbox.claimDue(now, 3).map((item) => item.command.kind)).toEqual(['expire_at_provider', 'order_write', 'order_write']);
  });

  it('orders the worker holds are left out of its next claim, and the limit counts only the others', () => {
    const outbox = storeWith([['1', write('1'), -3], ['2', write('2'), -2], ['3', write('3'), -1], ['4', expire('4'), 0]]);
    expect(outbox.claimDue(now, 2, { exceptOrderKeys: ['1', '3'] }).map((item) => item.orderKey)).toEqual(['2', '4']);
    expect(outbox.claimDue(now, 10, { shopCommands: false, exceptOrderKeys: ['4'] })).toEqual([]);
    expect(outbox.claimDue(now, 10, { exceptOrderKeys: [] }).map((item) => item.orderKey)).toEqual(['1', '2', '3', '4']);
  });

  it('a released claim is due again as it was, its attempt taken back; an attempt that ran stays counted', () => {
    const outbox = storeWith([['1', write('1'), -5], ['2', write('2'), -5]]);
    const [first, second] = outbox.claimDue(now, 10);
    expect(outbox.markAttempt(first.id, now, { owner: 'A', until: now + 60_000 })).toBe(true);
    expect(outbox.markAttempt(second.id, now, { owner: 'A', until: now + 60_000 })).toBe(true);
    outbox.markRetry(second.id, now - 1, 'timeout: the note POST got no answer', now, 'A');
    expect(outbox.claimDue(now, 10).map((item) => item.id)).toEqual([second.id]);
    // Another worker's release of a claim it does not hold changes nothing.
    outbox.release(first.id, now, 'B');
    expect(outbox.state(first.id)?.attempts).toBe(1);
    outbox.release(first.id, now, 'A');
    expect(outbox.state(first.id)).toEqual({ state: 'pending', attempts: 0, lastError: null });
    expect(outbox.claimDue(now, 10).map((item) => [item.id, item.attempts])).toEqual([[first.id, 0], [second.id, 1]]);
    // A second claim of the retried one, released: back to the one attempt that may have reached the shop.
    expect(outbox.markAttempt(second.id, now, { owner: 'A', until: now + 60_000 })).toBe(true);
    outbox.release(second.id, now, 'A');
    expect(outbox.state(second.id)?.attempts).toBe(1);
  });

  it('nothing provider-only pending: nothing due while paused', () => {
    const outbox = storeWith([['1', write('1'), -1]]);
    expect(outbox.claimDue(now, 10, { shopCommands: false })).toEqual([]);
    expect(outbox.nextDueAt(now, { shopCommands: false })).toBeNull();
  });
});

/** Mollie pings collapse into one pending fetch per payment (issue 12 item 8). */
describe(`${TEST_STORE} outbox: coalesced commands`, () => {
  const now = 1_800_000_000_000;
  const fetch: OutboxCommand = { kind: 'fetch_status', provider: 'mollie', providerPaymentRef: 'tr_1', merchantOrderId: '7' };

  it('one pending command per key: a repeat before it starts adds nothing, one while it runs asks for one more run, one after it finished queues a new one', () => {
    const outbox = open().stores.outbox;
    const first = outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now);
    expect(first.kind).toBe('queued');
    expect(outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now)).toEqual({ kind: 'already_queued', id: first.id });
    expect(outbox.counts().pending).toBe(1);

    outbox.markAttempt(first.id, now);
    expect(outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now)).toEqual({ kind: 'rerun_requested', id: first.id });
    expect(outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now)).toEqual({ kind: 'rerun_requested', id: first.id });
    // Done, but a ping came in while it ran: due again at once, as a fresh command.
    outbox.markDone(first.id, now + 5);
    expect(outbox.state(first.id)).toEqual({ state: 'pending', attempts: 0, lastError: null });
    expect(outbox.claimDue(now + 5, 10).map((item) => item.id)).toEqual([first.id]);
    outbox.markAttempt(first.id, now + 6);
    outbox.markDone(first.id, now + 7);
    expect(outbox.state(first.id)?.state).toBe('done');

    const next = outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now + 8);
    expect(next.kind).toBe('queued');
    expect(next.id).not.toBe(first.id);
    // Other keys are their own.
    expect(outbox.enqueueCoalesced('fetch:tr_2', '8', { ...fetch, providerPaymentRef: 'tr_2' }, now).kind).toBe('queued');
  });
});
