import type { UnitOfWork } from '../../ports/unit-of-work';
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
    let values: unknown[];
    try {
      // The common case: every item succeeds, one transaction, one fsync.
      // IMMEDIATE: take the write lock before reading, so decisions are made on what the commit will see.
      values = db.transaction(() => batch.map((item) => item.work())).immediate();
    } catch {
      // One item failed (or the commit did): nothing was committed. Run each item in its own transaction so
      // one bad item cannot cost the others their acknowledgement.
      for (const item of batch) {
        try {
          item.resolve(db.transaction(item.work).immediate());
        } catch (error) {
          item.reject(error);
        }
      }
      return;
    }
    batch.forEach((item, index) => item.resolve(values[index]));
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
