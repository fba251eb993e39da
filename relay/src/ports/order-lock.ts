/** What `run` gives back: the work's value, or `acquired: false` when another holder kept the lock past the wait. */
export type Locked<T> = { acquired: true; value: T } | { acquired: false };

/**
 * One holder at a time per key (`refund:<order>`: an order's refunds), within this relay and across every relay
 * on the same database: on SQLite one relay owns the file (relay_lock), so the relay's own queue is the whole
 * lock; on PostgreSQL a fleet-wide lock is taken as well. A holder that dies lets go: its process, and with it its
 * database connection, ends.
 */
export interface OrderLock {
  /**
   * Runs `work` holding `key`'s lock, after the holders before it (first come, first served). `work` never runs
   * when the lock is not this caller's within `waitMs`.
   */
  run<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<Locked<T>>;
}
