import { PROVIDER_COMMAND_KINDS, type CoalescedEnqueue, type OutboxCommand, type OutboxItem, type OutboxStore } from '../../ports/outbox-store';
import { PRUNE_DONE_OUTBOX, pruneBatchSql, pruneCountSql } from '../store-rows/prune-rules';
import { PLACE } from '../store-rows/outbox-place';
import type { PgDb } from './pg-database';

interface OutboxRow {
  id: number;
  order_key: string;
  command: string;
  attempts: number;
  next_attempt_at: number;
}

export interface PostgresOutboxOptions {
  /**
   * Claim as this worker: claimDue itself takes a lease on what it returns (FOR UPDATE SKIP LOCKED), so relays
   * polling at the same moment get different commands instead of racing for the same heads. Without it (store
   * tests, scripts) claimDue only reads, like SQLite's; markAttempt's lease stays the claim either way.
   */
  claimAs?: { owner: string; leaseMs: number };
}

// Only the head of each order's queue may run, across every relay on the database: writes to one order go in
// order, one at a time. A head another worker holds a live lease on is not due: that worker is running it.
const IS_HEAD = `o.state = 'pending' AND o.id = (SELECT MIN(h.id) FROM outbox h WHERE h.state = 'pending' AND h.order_key = o.order_key)`;
const PROVIDER_ONLY = `o.kind IN (${PROVIDER_COMMAND_KINDS.map((kind) => `'${kind}'`).join(', ')})`;
/**
 * Leases are measured by the database's clock, which every relay of a fleet shares: by the relays' own clocks, a
 * relay whose clock ran 10 s ahead would take over the live leases of the others (and one behind would wait too
 * long for a dead relay's). Due times stay in the relays' clocks: a skew there moves a retry, it never runs a
 * command twice.
 */
export const DATABASE_NOW_MS = '(extract(epoch from statement_timestamp()) * 1000)::bigint';
const DUE = `o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= ${DATABASE_NOW_MS})`;
// Bookkeeping by a worker whose lease was taken over is dropped: the command belongs to the new holder now, and
// a lease cleared meanwhile means the new holder already recorded its own outcome (retry or done).
const OWNED_BY = (n: number) => `($${n}::text IS NULL OR lease_owner = $${n}::text)`;

/** Over table outbox (PostgreSQL migration 1): the queue rules of sqlite-outbox-store.ts, shared by a fleet. */
export function createPostgresOutboxStore(db: PgDb, options: PostgresOutboxOptions = {}): OutboxStore {
  const toItem = (row: OutboxRow): OutboxItem => ({ id: row.id, orderKey: row.order_key, command: JSON.parse(row.command) as OutboxCommand, attempts: row.attempts });
  const where = (shopCommands: boolean | undefined) => (shopCommands === false ? `${IS_HEAD} AND ${PROVIDER_ONLY}` : IS_HEAD);
  // $3: orders the claiming worker holds already, as a JSON array (their commands are in its hands).
  const select = (shopCommands: boolean | undefined) =>
    `SELECT o.id, o.order_key, o.command, o.attempts, o.next_attempt_at FROM outbox o WHERE ${where(shopCommands)} AND ${DUE}
     AND o.order_key NOT IN (SELECT jsonb_array_elements_text($3::jsonb)) ORDER BY o.next_attempt_at, o.id LIMIT $2`;

  return {
    enqueue: (orderKey, command, now) =>
      db.get<{ id: number }>('INSERT INTO outbox (order_key, kind, command, next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $4) RETURNING id', [
        orderKey, command.kind, JSON.stringify(command), now,
      ])!.id,
    enqueueCoalesced(coalesceKey, orderKey, command, now): CoalescedEnqueue {
      // Two relays queueing one key at once: the unique partial index lets one insert; the other waits for its
      // COMMIT, inserts nothing and finds that row below.
      const inserted = db.get<{ id: number }>(
        `INSERT INTO outbox (order_key, kind, command, next_attempt_at, created_at, updated_at, coalesce_key) VALUES ($1, $2, $3, $4, $4, $4, $5)
         ON CONFLICT (coalesce_key) WHERE state = 'pending' AND coalesce_key IS NOT NULL DO NOTHING RETURNING id`,
        [orderKey, command.kind, JSON.stringify(command), now, coalesceKey],
      );
      if (inserted) return { kind: 'queued', id: inserted.id };
      const existing = db.get<{ id: number; attempts: number }>(`SELECT id, attempts FROM outbox WHERE coalesce_key = $1 AND state = 'pending'`, [coalesceKey])!;
      if (existing.attempts === 0) return { kind: 'already_queued', id: existing.id };
      db.run('UPDATE outbox SET rerun = 1 WHERE id = $1', [existing.id]);
      return { kind: 'rerun_requested', id: existing.id };
    },
    claimDue(now, limit, filter = {}) {
      const held = JSON.stringify(filter.exceptOrderKeys ?? []);
      if (!options.claimAs) return db.all<OutboxRow>(select(filter.shopCommands), [now, limit, held]).map(toItem);
      // SKIP LOCKED: a head another relay is claiming this instant is left to it rather than waited for.
      const rows = db.all<OutboxRow>(
        `WITH due AS (${select(filter.shopCommands)} FOR UPDATE OF o SKIP LOCKED)
         UPDATE outbox SET lease_owner = $4, lease_until = ${DATABASE_NOW_MS} + $5::bigint FROM due WHERE outbox.id = due.id
         RETURNING outbox.id, outbox.order_key, outbox.command, outbox.attempts, outbox.next_attempt_at`,
        [now, limit, held, options.claimAs.owner, options.claimAs.leaseMs],
      );
      return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(toItem);
    },
    markAttempt: (id, now, lease) =>
      (lease
        ? db.run(
            // The lease lasts `until - now` of the database's clock. Still the head: a dead letter of its order
            // retried since it was read goes first (a relay's claimDue leases what it reads, and a retry is refused
            // beside a lease, so this matters for stores without claimAs and for a retry in the same instant).
            `UPDATE outbox SET attempts = attempts + 1, rerun = 0, lease_owner = $2, lease_until = ${DATABASE_NOW_MS} + $3::bigint, updated_at = $4
             WHERE id = $1 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= ${DATABASE_NOW_MS} OR lease_owner = $2)
               AND id = (SELECT MIN(h.id) FROM outbox h WHERE h.state = 'pending' AND h.order_key = outbox.order_key)`,
            [id, lease.owner, lease.until - now, now],
          )
        : db.run('UPDATE outbox SET attempts = attempts + 1, rerun = 0, updated_at = $2 WHERE id = $1', [id, now])) === 1,
    holdsLease: (id, owner) =>
      db.get(`SELECT id FROM outbox WHERE id = $1 AND state = 'pending' AND lease_owner = $2 AND lease_until > ${DATABASE_NOW_MS}`, [id, owner]) !== undefined,
    markDone: (id, now, owner = null) =>
      // A rerun request (a ping while the fetch ran) turns the finished command back into a fresh one, due now.
      db.run(
        `UPDATE outbox SET
           state = CASE WHEN rerun = 1 THEN 'pending' ELSE 'done' END,
           attempts = CASE WHEN rerun = 1 THEN 0 ELSE attempts END,
           next_attempt_at = CASE WHEN rerun = 1 THEN $2 ELSE next_attempt_at END,
           rerun = 0, last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $2
         WHERE id = $1 AND ${OWNED_BY(3)}`,
        [id, now, owner],
      ) === 1,
    markRetry: (id, nextAttemptAt, error, now, owner = null) =>
      db.run(`UPDATE outbox SET next_attempt_at = $2, last_error = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4 WHERE id = $1 AND ${OWNED_BY(5)}`, [
        id, nextAttemptAt, error, now, owner,
      ]) === 1,
    release: (id, now, owner = null) => {
      // Untried after all: the attempt counted by the claim is taken back; the due time stays as it was.
      db.run(`UPDATE outbox SET attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL, updated_at = $2
        WHERE id = $1 AND state = 'pending' AND ${OWNED_BY(3)}`, [id, now, owner]);
    },
    markDead: (id, error, now, owner = null) =>
      db.run(`UPDATE outbox SET state = 'dead', last_error = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3 WHERE id = $1 AND ${OWNED_BY(4)}`, [id, error, now, owner]) === 1,
    hasPending: (orderKey) => db.get(`SELECT id FROM outbox WHERE state = 'pending' AND order_key = $1 LIMIT 1`, [orderKey]) !== undefined,
    // Read by the worker only for a command that ran before (a retried dead letter, a replay's copy, a crash): a
    // range of outbox_done_order from the command's place (a copy's is its original's, maybe long ago).
    newerWriteDone: (id) =>
      db.get<{ id: number | null }>(
        `SELECT MAX(n.id) AS id FROM outbox o JOIN outbox n ON n.state = 'done' AND n.order_key = o.order_key AND n.id > ${PLACE('o')}
           AND ${PLACE('n')} > ${PLACE('o')} AND n.kind = 'order_write' WHERE o.id = $1`,
        [id],
      )?.id ?? null,
    state: (id) => {
      const row = db.get<{ state: 'pending' | 'done' | 'dead'; attempts: number; last_error: string | null }>('SELECT state, attempts, last_error FROM outbox WHERE id = $1', [id]);
      return row ? { state: row.state, attempts: row.attempts, lastError: row.last_error } : null;
    },
    // Index ranges (outbox_due's partial index, outbox_state's dead range), not a scan of the done rows as one
    // GROUP BY state was. Dismissed dead letters are dealt with: not counted (OpsStore.dismissDead).
    counts: () => db.get<{ pending: number; dead: number }>(
      `SELECT (SELECT COUNT(*) FROM outbox WHERE state = 'pending')::int AS pending,
              (SELECT COUNT(*) FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL)::int AS dead`,
    )!,
    countDone: () => db.get<{ n: number }>("SELECT COUNT(*)::int AS n FROM outbox WHERE state = 'done'")!.n,
    // Heads only, like claimDue; a leased head is due when its lease runs out (a dead relay's claim is taken over
    // then): what is left of the lease by the database's clock, from the caller's now.
    nextDueAt: (now, filter = {}) =>
      db.get<{ at: number | null }>(
        `SELECT MIN(GREATEST(o.next_attempt_at, COALESCE($1::bigint + (o.lease_until - ${DATABASE_NOW_MS}), 0))) AS at FROM outbox o WHERE ${where(filter.shopCommands)}`,
        [now],
      )?.at ?? null,
    pruneBatch: (before, limit) => db.run(pruneBatchSql(PRUNE_DONE_OUTBOX, 'postgres'), [before, limit]),
    countPrunable: (before) => db.get<{ n: number }>(pruneCountSql(PRUNE_DONE_OUTBOX, 'postgres'), [before])!.n,
  };
}
