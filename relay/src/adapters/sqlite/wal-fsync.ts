import fs from 'node:fs';
import type { Db } from './open-database';

/**
 * Makes group commits durable by fdatasync of the WAL file on libuv's thread pool, instead of inside COMMIT. The
 * group commit runs its transaction with synchronous=NORMAL (group-commit.ts): COMMIT writes the WAL frames and
 * returns, the thread goes on with the next batch while the disk flushes, and callers are answered when a flush
 * that began after their commit has finished. One flush at a time; commits that land while one runs share the
 * next. Every other write on the connection keeps synchronous=FULL.
 *
 * A group commit is visible to other connections before it is durable. Nothing acts on it before its callers
 * are answered except the outbox worker's poll, and the worker's shop writes are idempotent (the note's ref
 * marker), so a power cut in that window costs at most a write the provider's retry would repeat anyway.
 */
export interface WalFsync {
  /** Resolves once everything committed to the WAL so far is on disk. */
  afterCommit(): Promise<void>;
  /** The flush error that broke it, or null. After one, every later call is refused: restart the relay. */
  failure(): unknown;
  /** Closes the descriptor once no flush is in flight (a thread's files are the process's: they outlive it). */
  close(): void;
}

export function createWalFsync(db: Db, onFailure: (error: unknown) => void): WalFsync {
  const walPath = `${db.name}-wal`;
  // The connection opened the WAL file when it first read the database (openDatabase migrates), and SQLite
  // deletes that file only when the last connection closes: while this one is open, the path is its file. A
  // checkpoint rewrites it in place, so one descriptor serves for the connection's life.
  let fd: number | null = null;
  const walFd = (): number => (fd ??= fs.openSync(walPath, 'r+'));
  let flushing = false;
  let waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  let broken: unknown = null;
  let closed = false;
  const closeDescriptor = (): void => {
    if (fd !== null) fs.closeSync(fd);
    fd = null;
  };

  const flush = (): void => {
    flushing = true;
    const batch = waiting;
    waiting = [];
    let descriptor: number;
    try {
      descriptor = walFd();
    } catch (error) {
      return fail(error, batch);
    }
    fs.fdatasync(descriptor, (error) => {
      flushing = false;
      if (closed) closeDescriptor();
      if (error) return fail(error, batch);
      batch.forEach((waiter) => waiter.resolve());
      if (waiting.length > 0) flush();
    });
  };
  // After a failed flush the kernel may have dropped the pages: nothing from here on can be called durable.
  const fail = (error: unknown, batch: typeof waiting): void => {
    flushing = false;
    broken = error;
    [...batch, ...waiting].forEach((waiter) => waiter.reject(error));
    waiting = [];
    onFailure(error);
  };

  return {
    afterCommit: () =>
      new Promise<void>((resolve, reject) => {
        if (broken) return reject(broken);
        if (closed) return reject(new Error('the database is closing; nothing more is flushed'));
        waiting.push({ resolve, reject });
        if (!flushing) flush();
      }),
    failure: () => broken,
    close: () => {
      closed = true;
      // Commits waiting for the next flush are refused (as if it had failed), without a disk error to log.
      waiting.forEach((waiter) => waiter.reject(new Error('the database is closing; nothing more is flushed')));
      waiting = [];
      if (!flushing) closeDescriptor();
    },
  };
}
