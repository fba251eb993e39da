import type { UnitOfWork } from '../../ports/unit-of-work';
import { sqlState, type PgDb } from './pg-database';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** 55P03 lock_not_available (our lock_timeout), 40P01 deadlock, 40001 serialization: another relay's row, not this item's fault. */
const LOCK_CONFLICTS = new Set(['55P03', '40P01', '40001']);

/**
 * How long an item of a group commit waits for a row another relay holds. Short on purpose: the connection is
 * synchronous, so a wait stalls its thread, and two relays' batches that touch the same rows in opposite order
 * would otherwise deadlock (PostgreSQL breaks that only after deadlock_timeout, 1 s). An item that meets a lock
 * is run again alone right after the batch, with the usual wait.
 */
const BATCH_LOCK_TIMEOUT = '50ms';

/**
 * Group commit over one PostgreSQL connection: work submitted in the same event-loop turn runs in one
 * transaction, each item in its own savepoint (one failing item undoes only itself), and all resolve after the
 * one COMMIT, which with synchronous_commit=on returns once the WAL is flushed: durable before the 2xx.
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

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 1) return runAlone(batch[0]);
    const settled: Array<() => void> = [];
    const again: Pending[] = [];
    try {
      db.transaction(() => {
        db.exec(`SET LOCAL lock_timeout = '${BATCH_LOCK_TIMEOUT}'`);
        for (const item of batch) {
          try {
            const value = db.transaction(item.work);
            settled.push(() => item.resolve(value));
          } catch (error) {
            if (LOCK_CONFLICTS.has(sqlState(error) ?? '')) again.push(item);
            else settled.push(() => item.reject(error));
          }
        }
      });
    } catch (commitError) {
      // Nothing of the batch is on disk: every item is refused (the webhook gets a 503, the provider retries).
      return batch.forEach((item) => item.reject(commitError));
    }
    settled.forEach((settle) => settle());
    again.forEach(runAlone);
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
