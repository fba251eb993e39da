import { PROVIDER_COMMAND_KINDS, type CoalescedEnqueue, type OutboxCommand, type OutboxItem, type OutboxStore } from '../../ports/outbox-store';
import { PRUNE_DONE_OUTBOX, pruneBatchSql, pruneCountSql } from '../store-rows/prune-rules';
import { PLACE } from '../store-rows/outbox-place';
import type { Db } from './open-database';

interface OutboxRow {
  id: number;
  order_key: string;
  command: string;
  attempts: number;
}

export function createSqliteOutboxStore(db: Db): OutboxStore {
  const enqueue = db.prepare(
    `INSERT INTO outbox (order_key, kind, command, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const enqueueKeyed = db.prepare(
    `INSERT INTO outbox (order_key, kind, command, next_attempt_at, created_at, updated_at, coalesce_key) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const pendingByKey = db.prepare<[string], { id: number; attempts: number }>(
    `SELECT id, attempts FROM outbox WHERE coalesce_key = ? AND state = 'pending'`,
  );
  const requestRerun = db.prepare('UPDATE outbox SET rerun = 1 WHERE id = ?');
  // Only the head of each order's queue may run: writes to one order go in order, one at a time. A queue's
  // head is its oldest pending command.
  const isHead = `o.state = 'pending'
      AND o.id = (SELECT MIN(h.id) FROM outbox h WHERE h.state = 'pending' AND h.order_key = o.order_key)`;
  // Heads that only talk to providers, for while the shop is paused. Spelled as migration 3's partial index
  // (outbox_provider_due) so SQLite reads that index instead of every pending shop write.
  const providerOnly = `o.kind IN (${PROVIDER_COMMAND_KINDS.map((kind) => `'${kind}'`).join(', ')})`;
  // Named, not left to the planner: without ANALYZE statistics it picks outbox_due (state) and walks them all.
  const viaProviderIndex = 'INDEXED BY outbox_provider_due';
  // A head another worker holds a live lease on is not due: that worker is running it.
  const unleased = '(o.lease_until IS NULL OR o.lease_until <= @now)';
  // Orders the claiming worker holds already (a JSON array): their leases may not be committed yet.
  const notHeld = 'o.order_key NOT IN (SELECT value FROM json_each(@held))';
  const claimSql = (index: string, where: string) => `
    SELECT o.id, o.order_key, o.command, o.attempts FROM outbox o ${index}
    WHERE ${where} AND o.next_attempt_at <= @now AND ${unleased} AND ${notHeld}
    ORDER BY o.next_attempt_at, o.id LIMIT @limit`;
  type ClaimParams = { now: number; limit: number; held: string };
  const claimAny = db.prepare<[ClaimParams], OutboxRow>(claimSql('', isHead));
  const claimProviderOnly = db.prepare<[ClaimParams], OutboxRow>(claimSql(viaProviderIndex, `${isHead} AND ${providerOnly}`));
  const attempt = db.prepare('UPDATE outbox SET attempts = attempts + 1, rerun = 0, updated_at = ? WHERE id = ?');
  // The claim: one statement, so of two workers that both saw the command due, exactly one gets it. Still the
  // head: a dead letter of its order retried since claimDue read it (another process, the dashboard) goes first.
  const leasedAttempt = db.prepare(`UPDATE outbox SET attempts = attempts + 1, rerun = 0, lease_owner = @owner, lease_until = @until, updated_at = @now
    WHERE id = @id AND state = 'pending' AND (lease_until IS NULL OR lease_until <= @now OR lease_owner = @owner)
      AND id = (SELECT MIN(h.id) FROM outbox h WHERE h.state = 'pending' AND h.order_key = outbox.order_key)`);
  const holding = db.prepare<[{ id: number; owner: string; now: number }], { id: number }>(
    `SELECT id FROM outbox WHERE id = @id AND state = 'pending' AND lease_owner = @owner AND lease_until > @now`,
  );
  // Bookkeeping by a worker whose lease was taken over is dropped: the command belongs to the new holder now, and
  // a lease cleared meanwhile means the new holder already recorded its own outcome (retry or done).
  const ownedBy = '(@owner IS NULL OR lease_owner = @owner)';
  // A rerun request (a ping while the fetch ran) turns the finished command back into a fresh one, due now.
  const done = db.prepare(`UPDATE outbox SET
      state = CASE WHEN rerun = 1 THEN 'pending' ELSE 'done' END,
      attempts = CASE WHEN rerun = 1 THEN 0 ELSE attempts END,
      next_attempt_at = CASE WHEN rerun = 1 THEN @now ELSE next_attempt_at END,
      rerun = 0, last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = @now
    WHERE id = @id AND ${ownedBy}`);
  const retry = db.prepare(`UPDATE outbox SET next_attempt_at = @at, last_error = @error, lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE id = @id AND ${ownedBy}`);
  // Untried after all: the attempt counted by the claim is taken back; the due time stays as it was.
  const release = db.prepare(`UPDATE outbox SET attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_until = NULL, updated_at = @now
    WHERE id = @id AND state = 'pending' AND ${ownedBy}`);
  const dead = db.prepare(`UPDATE outbox SET state = 'dead', last_error = @error, lease_owner = NULL, lease_until = NULL, updated_at = @now WHERE id = @id AND ${ownedBy}`);
  const pendingFor = db.prepare<[string], { id: number }>(`SELECT id FROM outbox WHERE state = 'pending' AND order_key = ? LIMIT 1`);
  // A range of outbox_pending (state, order_key, id), from the command's place (a replay copy's is its original's).
  const newerDone = db.prepare<[number], { id: number | null }>(
    `SELECT MAX(n.id) AS id FROM outbox o JOIN outbox n ON n.state = 'done' AND n.order_key = o.order_key AND n.id > ${PLACE('o')}
       AND ${PLACE('n')} > ${PLACE('o')} AND n.kind = 'order_write' WHERE o.id = ?`,
  );
  const stateOf = db.prepare<[number], { state: 'pending' | 'done' | 'dead'; attempts: number; last_error: string | null }>(
    'SELECT state, attempts, last_error FROM outbox WHERE id = ?',
  );
  // Each a range of outbox_due (state, next_attempt_at), not a scan of the done rows as GROUP BY state was.
  const pendingCount = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'");
  const deadCount = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL");
  const doneCount = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'done'");
  // Apart, not a filter on the count above: that one reads only the state index; dead rows are few.
  // Heads only, like claim: a command behind one in backoff is not due, however early its own time (otherwise
  // the worker would wake for it at once, claim nothing, and wake again until the head's time came).
  // A leased head is due when its lease runs out (a dead worker's claim is taken over then), not before.
  const dueAt = 'MAX(o.next_attempt_at, COALESCE(o.lease_until, 0))';
  const nextDueAny = db.prepare<[], { at: number | null }>(`SELECT MIN(${dueAt}) AS at FROM outbox o WHERE ${isHead}`);
  const nextDueProviderOnly = db.prepare<[], { at: number | null }>(
    `SELECT MIN(${dueAt}) AS at FROM outbox o ${viaProviderIndex} WHERE ${isHead} AND ${providerOnly}`,
  );
  // Through migration 12's outbox_done_updated: each batch is a range of that index.
  const prune = db.prepare(pruneBatchSql(PRUNE_DONE_OUTBOX, 'sqlite'));
  const countPrunable = db.prepare<[number], { n: number }>(pruneCountSql(PRUNE_DONE_OUTBOX, 'sqlite'));

  return {
    enqueue: (orderKey: string, command: OutboxCommand, now: number) =>
      Number(enqueue.run(orderKey, command.kind, JSON.stringify(command), now, now, now).lastInsertRowid),
    enqueueCoalesced(coalesceKey, orderKey, command, now): CoalescedEnqueue {
      const existing = pendingByKey.get(coalesceKey);
      if (!existing) return { kind: 'queued', id: Number(enqueueKeyed.run(orderKey, command.kind, JSON.stringify(command), now, now, now, coalesceKey).lastInsertRowid) };
      if (existing.attempts === 0) return { kind: 'already_queued', id: existing.id };
      requestRerun.run(existing.id);
      return { kind: 'rerun_requested', id: existing.id };
    },
    claimDue: (now, limit, filter = {}): OutboxItem[] =>
      (filter.shopCommands === false ? claimProviderOnly : claimAny).all({ now, limit, held: JSON.stringify(filter.exceptOrderKeys ?? []) }).map((row) => ({
        id: row.id,
        orderKey: row.order_key,
        command: JSON.parse(row.command) as OutboxCommand,
        attempts: row.attempts,
      })),
    markAttempt: (id, now, lease) => (lease ? leasedAttempt.run({ id, now, owner: lease.owner, until: lease.until }).changes : attempt.run(now, id).changes) === 1,
    holdsLease: (id, owner, now) => holding.get({ id, owner, now }) !== undefined,
    markDone: (id, now, owner = null) => done.run({ now, id, owner }).changes === 1,
    markRetry: (id, nextAttemptAt, error, now, owner = null) => retry.run({ at: nextAttemptAt, error, now, id, owner }).changes === 1,
    release: (id, now, owner = null) => {
      release.run({ now, id, owner });
    },
    markDead: (id, error, now, owner = null) => dead.run({ error, now, id, owner }).changes === 1,
    hasPending: (orderKey) => pendingFor.get(orderKey) !== undefined,
    newerWriteDone: (id) => newerDone.get(id)?.id ?? null,
    state: (id) => {
      const row = stateOf.get(id);
      return row ? { state: row.state, attempts: row.attempts, lastError: row.last_error } : null;
    },
    counts: () => ({ pending: pendingCount.get()!.n, dead: deadCount.get()!.n }),
    countDone: () => doneCount.get()!.n,
    // One relay per file: its own clock measures the leases, so `now` is not needed.
    nextDueAt: (_now, filter = {}) => (filter.shopCommands === false ? nextDueProviderOnly : nextDueAny).get()?.at ?? null,
    pruneBatch: (before, limit) => prune.run(before, limit).changes,
    countPrunable: (before) => countPrunable.get(before)!.n,
  };
}
