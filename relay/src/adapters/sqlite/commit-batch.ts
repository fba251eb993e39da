import type { Db } from './open-database';

export type BatchOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** SQLite could not take the write lock: nothing ran, and trying again later may succeed. */
export const isLockBusy = (error: unknown): boolean =>
  typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('SQLITE_BUSY');

/**
 * Group commit: runs every item in one IMMEDIATE transaction (one fsync for all). IMMEDIATE takes the write lock
 * before the first read, so decisions are made on what the commit will see. If an item (or the commit) fails,
 * nothing was committed, and each item runs again in its own transaction: one bad item cannot cost the others
 * their acknowledgement. A lock that could not be taken is no item's fault: then no item runs (from the first
 * that met it on), so items never commit out of order.
 */
export function commitBatch(db: Db, items: ReadonlyArray<() => unknown>): BatchOutcome[] {
  try {
    const values = db.transaction(() => items.map((work) => work())).immediate();
    return values.map((value) => ({ ok: true, value }));
  } catch (batchError) {
    if (isLockBusy(batchError)) return items.map(() => ({ ok: false, error: batchError }));
    let busy: unknown = null;
    return items.map((work): BatchOutcome => {
      if (busy) return { ok: false, error: busy };
      try {
        return { ok: true, value: db.transaction(work).immediate() };
      } catch (error) {
        if (isLockBusy(error)) busy = error;
        return { ok: false, error };
      }
    });
  }
}
