import type { UnitOfWork } from '../../ports/unit-of-work';
import { commitBatch, isLockBusy, type BatchOutcome } from './commit-batch';
import type { Db } from './open-database';
import type { WalFsync } from './wal-fsync';

export interface UnitOfWorkOptions {
  /** Flush the WAL off the thread instead of inside COMMIT (see wal-fsync.ts). */
  walFsync?: WalFsync;
  /**
   * Wait for another connection's write lock by retrying on a timer, up to this long, instead of inside SQLite's
   * busy handler, which sleeps the whole thread (1, 2, 5, 10… ms). For the HTTP loop's connection: the recorder
   * thread holds the lock for most of a burst, and every request on the loop would wait out each sleep.
   */
  lockWaitMs?: number;
}

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** When it was queued, on the monotonic clock: a wall-clock step must not stretch or cut the lock wait. */
  since: number;
}

/** Retry interval while another connection holds the write lock (a batch of the recorder thread takes ~1–3 ms). */
const LOCK_RETRY_MS = 2;

/**
 * Group commit: every work item submitted in the same event-loop turn runs in one transaction, and all resolve
 * after that single commit is on disk. With 50 providers posting at once this turns 50 fsyncs into one, which is
 * how durable acknowledgements keep up with a bare endpoint.
 *
 * Without `walFsync` the commit itself fsyncs (synchronous=FULL) and blocks the thread meanwhile. With it, the
 * flush runs off the thread and the next batch is built while the disk works. `transaction()` is untouched by
 * both options: it commits with the connection's own settings (FULL), durable when it returns.
 */
export function createUnitOfWork(db: Db, options: UnitOfWorkOptions = {}): UnitOfWork {
  const { walFsync, lockWaitMs } = options;
  let queue: Pending[] = [];
  let scheduled = false;

  const schedule = (delayMs: number): void => {
    if (scheduled) return;
    scheduled = true;
    if (delayMs === 0) setImmediate(flush);
    else setTimeout(flush, delayMs);
  };

  const settle = (batch: Pending[], outcomes: BatchOutcome[]): void =>
    outcomes.forEach((outcome, index) => (outcome.ok ? batch[index].resolve(outcome.value) : batch[index].reject(outcome.error)));

  /** Runs `run` with a pragma set, then puts the connection's own value back for everything else. */
  const withPragma = <T>(name: string, value: number, run: () => T): T => {
    const previous = db.pragma(name, { simple: true }) as number;
    db.pragma(`${name} = ${value}`);
    try {
      return run();
    } finally {
      db.pragma(`${name} = ${previous}`);
    }
  };
  // busy_timeout 0: a held lock fails at once and is waited for on a timer. synchronous 1 (NORMAL): COMMIT
  // skips its fsync, walFsync flushes instead.
  const commit = (works: Array<() => unknown>): BatchOutcome[] => {
    const run = () => commitBatch(db, works);
    const unblocked = lockWaitMs === undefined ? run : () => withPragma('busy_timeout', 0, run);
    return walFsync ? withPragma('synchronous', 1, unblocked) : unblocked();
  };

  function flush(): void {
    scheduled = false;
    const attempted = queue;
    queue = [];
    // After a failed flush nothing here can be called durable: refuse before writing (a caller that retries at
    // once, like the worker's bookkeeping, must not keep committing rows no flush will cover).
    const broken = walFsync?.failure();
    if (broken) return attempted.forEach((item) => item.reject(broken));
    let outcomes: BatchOutcome[];
    try {
      outcomes = commit(attempted.map((item) => item.work));
    } catch (error) {
      // Only the pragmas around the batch can throw here (a connection closed under a pending flush).
      return attempted.forEach((item) => item.reject(error));
    }
    // Items that only met a lock go round again (first, in order), until their wait runs out.
    const now = performance.now();
    const batch: Pending[] = [];
    const results: BatchOutcome[] = [];
    const again: Pending[] = [];
    outcomes.forEach((outcome, index) => {
      const item = attempted[index];
      if (!outcome.ok && lockWaitMs !== undefined && isLockBusy(outcome.error) && now - item.since < lockWaitMs) again.push(item);
      else {
        batch.push(item);
        results.push(outcome);
      }
    });
    if (again.length > 0) {
      queue = [...again, ...queue];
      schedule(LOCK_RETRY_MS);
    }
    if (batch.length === 0) return;
    if (!walFsync) return settle(batch, results);
    walFsync.afterCommit().then(
      () => settle(batch, results),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  }

  return {
    transaction: <T>(work: () => T): T => db.transaction(work).immediate(),
    commitDurably: <T>(work: () => T): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject, since: performance.now() });
        schedule(0);
      }),
  };
}
