import { openDatabase } from '../../../../relay/src/adapters/sqlite/open-database';
import { createSqliteOpsStore } from '../../../../relay/src/adapters/sqlite/sqlite-ops-store';
import { createSqliteOutboxStore } from '../../../../relay/src/adapters/sqlite/sqlite-outbox-store';
import type { OutboxCommand } from '../../../../relay/src/ports/outbox-store';

/** Dead letters as SQL: retried with a fresh budget and no stale lease, dismissed out of the counts. */
describe('SQLite ops store: dead letters', () => {
  const now = 1_800_000_000_000;
  const fetch: OutboxCommand = { kind: 'fetch_status', provider: 'mollie', providerPaymentRef: 'tr_1', merchantOrderId: '7' };

  function deadCommand() {
    const db = openDatabase(':memory:');
    const outbox = createSqliteOutboxStore(db);
    const ops = createSqliteOpsStore(db);
    const { id } = outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now);
    for (let attempt = 0; attempt < 5; attempt += 1) outbox.markAttempt(id, now, { owner: 'worker-a', until: now + 60_000 });
    outbox.markDead(id, 'provider_timeout: gave up after 5 attempts: Mollie did not answer', now + 1, 'worker-a');
    return { db, outbox, ops, id };
  }

  it('retry: pending, due now, attempts back to 1 (it ran before), no lease, claimable at once', () => {
    const { db, outbox, ops, id } = deadCommand();
    expect(ops.retryDead(id, now + 10)).toEqual({ kind: 'retried' });
    expect(outbox.state(id)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(db.prepare('SELECT lease_owner, lease_until, next_attempt_at FROM outbox WHERE id = ?').get(id)).toEqual({ lease_owner: null, lease_until: null, next_attempt_at: now + 10 });
    expect(outbox.claimDue(now + 10, 10).map((item) => [item.id, item.attempts])).toEqual([[id, 1]]);
    expect(ops.retryDead(id, now + 11)).toEqual({ kind: 'not_dead' });
  });

  it('retry while a newer fetch for the same payment is queued: both pending, no clash on the one-per-key index', () => {
    const { outbox, ops, id } = deadCommand();
    const newer = outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now + 5);
    expect(newer.kind).toBe('queued');
    expect(ops.retryDead(id, now + 10)).toEqual({ kind: 'retried' });
    expect(outbox.counts()).toMatchObject({ pending: 2, dead: 0 });
  });

  it('dismiss: kept as it was, out of the list and the dead count; neither retried nor dismissed twice', () => {
    const { outbox, ops, id } = deadCommand();
    expect(outbox.counts().dead).toBe(1);
    expect(ops.deadLetterCount()).toBe(1);
    expect(ops.dismissDead(id, now + 20)).toBe(true);
    expect(ops.deadLetters(10)).toEqual([]);
    expect(ops.deadLetterCount()).toBe(0);
    expect(outbox.counts().dead).toBe(0);
    expect(ops.deadLetter(id)).toMatchObject({ id, kind: 'fetch_status', command: fetch, attempts: 5, lastError: 'provider_timeout: gave up after 5 attempts: Mollie did not answer', dismissedAt: now + 20 });
    expect(ops.retryDead(id, now + 30)).toEqual({ kind: 'not_dead' });
    expect(ops.dismissDead(id, now + 30)).toBe(false);
    expect(outbox.state(id)?.state).toBe('dead');
  });

  it('a command that is not dead is not a dead letter', () => {
    const db = openDatabase(':memory:');
    const outbox = createSqliteOutboxStore(db);
    const ops = createSqliteOpsStore(db);
    const id = outbox.enqueue('7', fetch, now);
    expect(ops.deadLetter(id)).toBeNull();
    expect(ops.retryDead(id, now)).toEqual({ kind: 'not_dead' });
    expect(ops.dismissDead(id, now)).toBe(false);
  });
});
