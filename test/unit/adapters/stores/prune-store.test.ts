import { countPrunable, pruneOldData } from '../../../../relay/src/app/prune-old-data';
import type { Stores } from '../../../../relay/src/adapters/sqlite/sqlite-stores';
import { openSharedTestDatabase, openTestDatabase, TEST_STORE, type TestDatabase, type TestSql } from '../../../helpers/test-store';

// One suite, two entry points: SQLite by default, PostgreSQL under PAYRELAY_TEST_STORE=postgres.
const DAY = 24 * 3600_000;
const now = 1_800_000_000_000;
const before = now - 45 * DAY;

/** Old and recent rows of every kind prune looks at, including ones exactly at the cutoff and ones it must keep. */
function fill(stores: Stores): void {
  const ages = [90, 60, 46, 45, 44, 10, 0].map((days) => now - days * DAY);
  ages.forEach((at, i) => {
    for (let n = 0; n < 3; n += 1) {
      stores.inbox.insertIfNew({ provider: 'sandbox', eventId: `evt_${i}_${n}`, eventType: 'payment.paid', sessionId: null, merchantOrderId: String(i), rawBody: Buffer.from('{}'), verification: 'signature', outcome: 'applied', receivedAt: at });
    }
    stores.inbox.recordRejection('sandbox', 'bad_signature', 'no', at);
    const note = (ref: string) => ({ kind: 'order_note' as const, ref: `sandbox:${ref}`, sessionId: null, text: 'n' });
    stores.outbox.markDone(stores.outbox.enqueue(`done_${i}`, note(`done_${i}`), at - DAY), at);
    stores.outbox.markDead(stores.outbox.enqueue(`dead_${i}`, note(`dead_${i}`), at - DAY), 'gone', at);
    stores.outbox.enqueue(`pending_${i}`, note(`pending_${i}`), at); // pending: kept whatever its age
    const park = (key: string) => stores.parked.park({ provider: 'sandbox', eventKey: key, kind: 'event', relaySessionId: `ps_${key}`, providerSessionId: null, providerPaymentId: null, event: null }, at - 1, at);
    park(`expired_${i}`);
    stores.parked.expire(at + 1); // settled at + 1, state expired
    park(`still_${i}`); // parked until the next round's expire settles it; the last one stays parked, and is kept
  });
}

/** What is left, table by table, by the columns that identify a row. */
const remaining = (sql: TestSql) => ({
  events: sql.all('SELECT event_id FROM webhook_events ORDER BY event_id').map((r) => r.event_id),
  rejections: sql.all('SELECT received_at FROM webhook_rejections ORDER BY received_at').map((r) => Number(r.received_at)),
  outbox: sql.all('SELECT order_key FROM outbox ORDER BY order_key').map((r) => r.order_key),
  parked: sql.all('SELECT event_key FROM parked_events ORDER BY event_key').map((r) => r.event_key),
});

/** Prune as it was before batching: one DELETE per table, the reference the batches must match. */
function pruneInSingleStatements(sql: TestSql) {
  const events = sql.run('DELETE FROM webhook_events WHERE received_at < ?', before) + sql.run('DELETE FROM webhook_rejections WHERE received_at < ?', before);
  const outbox = sql.run(`DELETE FROM outbox WHERE state = 'done' AND updated_at < ?`, before);
  const parked = sql.run(`DELETE FROM parked_events WHERE state <> 'parked' AND settled_at < ?`, before);
  return { events, outbox, parked };
}

describe(`${TEST_STORE} prune in batches`, () => {
  const opened: TestDatabase[] = [];
  afterAll(() => opened.splice(0).forEach((db) => db.close()));
  const filled = () => {
    const db = openTestDatabase();
    opened.push(db);
    fill(db.stores);
    return db;
  };

  it('removes exactly what one DELETE per table removed, and the dry run counts it beforehand', async () => {
    const reference = filled();
    const batched = filled();
    const expected = pruneInSingleStatements(reference.sql);
    const counted = countPrunable(batched.stores, before);
    let pauses = 0;
    // Three rows a batch: every table needs several, and some end exactly on a full batch.
    const pruned = await pruneOldData(batched.stores, before, { batchRows: 3, pause: async () => void (pauses += 1) });
    expect(expected).toEqual({ events: 12, outbox: 3, parked: 5 });
    expect(pruned).toEqual(expected);
    expect(counted).toEqual(expected);
    expect(remaining(batched.sql)).toEqual(remaining(reference.sql));
    expect(remaining(batched.sql).parked).toContain('still_6');
    expect(pauses).toBeGreaterThanOrEqual(6);
    expect(countPrunable(batched.stores, before)).toEqual({ events: 0, outbox: 0, parked: 0 });
  });

  it('sizes each batch and the pause after it by the pace, and checkpoints after every batch that deleted', async () => {
    const reference = filled();
    const paced = filled();
    const expected = pruneInSingleStatements(reference.sql);
    const asked: number[] = [];
    const pauses: number[] = [];
    let afterBatches = 0;
    const pruned = await pruneOldData(paced.stores, before, {
      batchRows: 2,
      // Each batch one row bigger, the pause ten times its rows: what the pace says is what happens.
      pace: ({ rows }) => (asked.push(rows), { rows: rows + 1, pauseMs: rows * 10 }),
      pause: async (ms) => void pauses.push(ms),
      afterBatch: () => void (afterBatches += 1),
    });
    expect(pruned).toEqual(expected);
    expect(remaining(paced.sql)).toEqual(remaining(reference.sql));
    expect(asked.slice(0, 3)).toEqual([2, 3, 4]);
    expect(pauses.slice(0, 3)).toEqual([20, 30, 40]);
    expect(afterBatches).toBe(pauses.length);
  });

  it('lets another connection write between batches, without waiting for the lock', async () => {
    const shared = openSharedTestDatabase();
    try {
      const [pruner, relay] = shared.connections;
      fill(pruner.stores);
      // A writer that cannot wait: any lock the prune still held would fail its insert at once.
      relay.sqlite?.pragma('busy_timeout = 0');
      const writes: Array<{ oldLeft: number }> = [];
      await pruneOldData(pruner.stores, before, {
        batchRows: 2,
        pause: async () => {
          if (writes.length > 0) return;
          relay.stores.unitOfWork.transaction(() =>
            relay.stores.inbox.insertIfNew({ provider: 'sandbox', eventId: 'evt_during_prune', eventType: 'payment.paid', sessionId: null, merchantOrderId: '1', rawBody: Buffer.from('{}'), verification: 'signature', outcome: 'applied', receivedAt: now }),
          );
          writes.push({ oldLeft: relay.stores.inbox.countPrunable(before) });
        },
      });
      expect(writes).toHaveLength(1);
      // It went in while old events were still waiting for their batches.
      expect(writes[0].oldLeft).toBeGreaterThan(0);
      expect(relay.sql.get('SELECT COUNT(*) AS n FROM webhook_events WHERE event_id = ?', 'evt_during_prune')!.n).toBe(1);
      expect(relay.stores.inbox.countPrunable(before)).toBe(0);
    } finally {
      shared.close();
    }
  });
});
