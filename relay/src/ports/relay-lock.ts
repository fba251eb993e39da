import type { LockHolder, LockVerdict } from '../domain/relay-lock-rule';

/** The database file's single-relay lock (a row with a heartbeat). Synchronous: each call is one transaction. */
export interface RelayLock {
  /** Takes the lock if it is free or its holder is gone; otherwise says who holds it. */
  acquire(me: Omit<LockHolder, 'heartbeatAt'>, now: number, staleAfterMs: number, isAlive: (pid: number) => boolean): LockVerdict;
  /** False when the lock is no longer ours (taken over while this relay stalled): stop writing. */
  heartbeat(owner: string, now: number): boolean;
  release(owner: string): void;
}
