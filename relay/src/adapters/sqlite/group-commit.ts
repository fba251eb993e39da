import type { UnitOfWork } from '../../ports/unit-of-work';
import { commitBatch, type BatchOutcome } from './commit-batch';
import type { Db } from './open-database';
import type { WalFsync } from './wal-fsync';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every work item submitted in the same event-loop turn runs in one transaction, and all resolve
 * after that single commit is on disk. With 50 providers posting at once this turns 50 fsyncs into one, which is
 * how durable acknowledgements keep up with a bare endpoint.
 *
 * Without `walFsync` the commit itself fsyncs (synchronous=FULL) and blocks the thread meanwhile. With it (the
 * recorder thread), the flush runs off the thread and the next batch is built while the disk works.
 */
export function createUnitOfWork(db: Db, walFsync?: WalFsync): UnitOfWork {
  let queue: Pending[] = [];
  let scheduled = false;

  const settle = (batch: Pending[], outcomes: BatchOutcome[]): void =>
    outcomes.forEach((outcome, index) => (outcome.ok ? batch[index].resolve(outcome.value) : batch[index].reject(outcome.error)));

  const flush = (): void => {
    const batch = queue;
    queue = [];
    scheduled = false;
    const outcomes = commitBatch(
      db,
      batch.map((item) => item.work),
    );
    if (!walFsync) return settle(batch, outcomes);
    walFsync.afterCommit().then(
      () => settle(batch, outcomes),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  };

  return {
    transaction: <T>(work: () => T): T => {
      const value = db.transaction(work).immediate();
      walFsync?.afterCommitSync();
      return value;
    },
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
