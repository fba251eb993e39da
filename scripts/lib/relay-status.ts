import os from 'node:os';
import { processAlive } from '../../relay/src/adapters/sqlite/sqlite-relay-lock';
import type { Db } from '../../relay/src/adapters/sqlite/open-database';
import { decideLock } from '../../relay/src/domain/relay-lock-rule';

/** The relay's own rule (relay.ts): a lock whose heartbeat is older than this belongs to a relay that is gone. */
const LOCK_STALE_AFTER_MS = 30_000;

/**
 * Whether a relay is running on this file, read from its lock without taking it: the tools only queue work, and
 * the person should know whether anything will pick it up.
 */
export function relayOnFile(db: Db, now: number): { running: boolean; says: string } {
  const row = db.prepare<[], { owner: string; pid: number; host: string; since: number; heartbeat_at: number }>('SELECT owner, pid, host, since, heartbeat_at FROM relay_lock WHERE id = 1').get();
  if (!row) return { running: false, says: 'No relay is running on this database: queued work waits until one starts (npm start).' };
  const holder = { owner: row.owner, pid: row.pid, host: row.host, since: row.since, heartbeatAt: row.heartbeat_at };
  const verdict = decideLock(holder, { owner: 'payrelay-cli', host: os.hostname() }, now, LOCK_STALE_AFTER_MS, row.host === os.hostname() ? processAlive(row.pid) : null);
  if (verdict.take) return { running: false, says: `No relay is running on this database (the last one, pid ${row.pid} on ${row.host}, is gone): queued work waits until one starts (npm start).` };
  return { running: true, says: `The relay running on this database (pid ${row.pid} on ${row.host}) applies queued work.` };
}
