import type { UnitOfWork } from '../../ports/unit-of-work';
import type { Db } from './open-database';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every work item submitted in the same event-loop turn runs in one transaction, each inside its
 * own savepoint, and all resolve after that single commit (one fsync) returns. With 50 providers posting at
 * once this turns 50 fsyncs into one, which is how durable acknowledgements keep up with a bare endpoint.
 */
export function createUnitOfWork(db: Db): UnitOfWork {
  let queue: Pending[] = [];
  let scheduled = false;

  const flush = (): void => {
    const batch = queue;
    queue = [];
    scheduled = false;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      db.transaction(() => {
        for (const item of batch) {
          try {
            // A nested transaction function is a savepoint: a failing item rolls back alone.
            outcomes.push({ ok: true, value: db.transaction(item.work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed (disk full, locked too long): nothing in the batch is durable.
      batch.forEach((item) => item.reject(error));
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  };

  return {
    transaction: <T>(work: () => T): T => db.transaction(work)(),
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
