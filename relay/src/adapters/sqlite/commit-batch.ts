import type { Db } from './open-database';

export type BatchOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: runs every item in one IMMEDIATE transaction (one fsync for all). IMMEDIATE takes the write lock
 * before the first read, so decisions are made on what the commit will see. If an item (or the commit) fails,
 * nothing was committed, and each item runs again in its own transaction: one bad item cannot cost the others
 * their acknowledgement.
 */
export function commitBatch(db: Db, items: ReadonlyArray<() => unknown>): BatchOutcome[] {
  try {
    const values = db.transaction(() => items.map((work) => work())).immediate();
    return values.map((value) => ({ ok: true, value }));
  } catch {
    return items.map((work): BatchOutcome => {
      try {
        return { ok: true, value: db.transaction(work).immediate() };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }
}
