import type { UnitOfWork } from '../../ports/unit-of-work';
import { commitBatch } from './commit-batch';
import type { Db } from './open-database';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every work item submitted in the same event-loop turn runs in one transaction, and all resolve
 * after that single commit (one fsync) returns. With 50 providers posting at once this turns 50 fsyncs into
 * one, which is how durable acknowledgements keep up with a bare endpoint.
 */
export function createUnitOfWork(db: Db): UnitOfWork {
  let queue: Pending[] = [];
  let scheduled = false;

  const flush = (): void => {
    const batch = queue;
    queue = [];
    scheduled = false;
    commitBatch(
      db,
      batch.map((item) => item.work),
    ).forEach((outcome, index) => (outcome.ok ? batch[index].resolve(outcome.value) : batch[index].reject(outcome.error)));
  };

  return {
    transaction: <T>(work: () => T): T => db.transaction(work).immediate(),
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
