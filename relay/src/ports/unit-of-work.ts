/** Runs storage work atomically. */
export interface UnitOfWork {
  /** One synchronous transaction. */
  transaction<T>(work: () => T): T;
  /**
   * The same, but resolves only once the transaction is on disk (fsync'd). Concurrent callers share one commit
   * (group commit): durability without paying one fsync per webhook. If one work item throws, the others are
   * retried each in its own transaction, so one failing item does not undo the others.
   */
  commitDurably<T>(work: () => T): Promise<T>;
}
