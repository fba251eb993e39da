import { decideLock, type LockHolder } from '../../domain/relay-lock-rule';
import type { RelayLock } from '../../ports/relay-lock';
import type { Db } from './open-database';

interface LockRow {
  owner: string;
  pid: number;
  host: string;
  since: number;
  heartbeat_at: number;
}

const SELECT_HOLDER = 'SELECT owner, pid, host, since, heartbeat_at FROM relay_lock WHERE id = 1';
const holderOf = (row: LockRow | undefined): LockHolder | null => (row ? { owner: row.owner, pid: row.pid, host: row.host, since: row.since, heartbeatAt: row.heartbeat_at } : null);

/** Who holds the file's relay lock, read without taking it (the command-line tools ask whether a relay runs). */
export function readRelayLockHolder(db: Db): LockHolder | null {
  return holderOf(db.prepare<[], LockRow>(SELECT_HOLDER).get());
}

export function createSqliteRelayLock(db: Db): RelayLock {
  const read = db.prepare<[], LockRow>(SELECT_HOLDER);
  const take = db.prepare(`INSERT INTO relay_lock (id, owner, pid, host, since, heartbeat_at) VALUES (1, @owner, @pid, @host, @since, @now)
    ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, since = excluded.since, heartbeat_at = excluded.heartbeat_at`);
  // The previous holder is gone: whatever it had claimed is nobody's now, so this relay's worker runs it at once.
  const dropLeases = db.prepare(`UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND lease_owner IS NOT NULL AND lease_owner <> ?`);
  const beat = db.prepare('UPDATE relay_lock SET heartbeat_at = ? WHERE id = 1 AND owner = ?');
  const release = db.prepare('DELETE FROM relay_lock WHERE id = 1 AND owner = ?');

  return {
    acquire(me, now, staleAfterMs, isAlive) {
      // IMMEDIATE: read and take under the write lock, so two relays starting together cannot both win.
      return db.transaction(() => {
        const holder = holderOf(read.get());
        const verdict = decideLock(holder, me, now, staleAfterMs, holder && holder.host === me.host ? isAlive(holder.pid) : null);
        if (verdict.take) {
          take.run({ ...me, now });
          dropLeases.run(me.owner);
        }
        return verdict;
      }).immediate();
    },
    heartbeat: (owner, now) => beat.run(now, owner).changes === 1,
    release: (owner) => {
      release.run(owner);
    },
  };
}

/** Whether a process with this pid exists on this host (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
