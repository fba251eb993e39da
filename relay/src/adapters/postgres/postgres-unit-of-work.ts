import type { UnitOfWork } from '../../ports/unit-of-work';
import type { PgDb } from './pg-database';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * How long an item of a group commit waits for a row another relay holds. Short on purpose: the connection is
 * synchronous, so a wait stalls its thread, and two relays' batches that touch the same rows in opposite order
 * would otherwise deadlock (PostgreSQL breaks that only after deadlock_timeout, 1 s). An item that meets a lock
 * is run again alone right after the batch, with the usual wait.
 */
const BATCH_LOCK_TIMEOUT = '50ms';

/**
 * Group commit over one PostgreSQL connection: work submitted in the same event-loop turn runs in one
 * transaction, and all resolve after the one COMMIT, which with synchronous_commit=on returns once the WAL is
 * flushed: durable before the 2xx.
 *
 * No savepoint per item: on a synchronous connection every statement is a round trip the batch waits for, and
 * SAVEPOINT + RELEASE were 2 of a webhook's 11. Instead, as SQLite's commitBatch does, an item that throws
 * (a bug, a lock another relay holds past the batch's 50 ms) rolls the batch back; the others run again as a
 * batch without it, and it runs alone after they committed, so one failing item costs the others nothing but
 * the rerun. Items are rerun only after a rollback, so each item's rows still commit exactly once.
 */
export function createPostgresUnitOfWork(db: PgDb): UnitOfWork {
  let queue: Pending[] = [];
  let scheduled = false;

  const runAlone = (item: Pending): void => {
    try {
      item.resolve(db.transaction(item.work));
    } catch (error) {
      item.reject(error);
    }
  };

  /** Commits `batch` in one transaction; returns the item that threw (everything rolled back), or null once committed. */
  const tryBatch = (batch: Pending[], values: unknown[]): Pending | null => {
    let failed: Pending | null = null;
    try {
      db.transaction(() => {
        db.exec(`SET LOCAL lock_timeout = '${BATCH_LOCK_TIMEOUT}'`);
        for (const item of batch) {
          failed = item;
          values.push(item.work());
        }
        failed = null;
      });
    } catch (error) {
      if (failed) return failed;
      throw error;
    }
    return null;
  };

  function flush(): void {
    scheduled = false;
    let batch = queue;
    queue = [];
    if (batch.length === 1) return runAlone(batch[0]);
    const alone: Pending[] = [];
    let values: unknown[] = [];
    try {
      while (batch.length > 0) {
        values = [];
        const failed = tryBatch(batch, values);
        if (!failed) break;
        alone.push(failed);
        batch = batch.filter((item) => item !== failed);
      }
    } catch (commitError) {
      // Nothing of this batch is on disk: its items are refused (the webhook gets a 503, the provider retries).
      batch.forEach((item) => item.reject(commitError));
      batch = [];
    }
    batch.forEach((item, index) => item.resolve(values[index]));
    alone.forEach(runAlone);
  }

  return {
    transaction: <T>(work: () => T): T => db.transaction(work),
    commitDurably: <T>(work: () => T): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }),
  };
}
