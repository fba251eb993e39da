import os from 'node:os';
import { processAlive, readRelayLockHolder } from '../../relay/src/adapters/sqlite/sqlite-relay-lock';
import type { Db } from '../../relay/src/adapters/sqlite/open-database';
import { decideLock, LOCK_STALE_AFTER_MS } from '../../relay/src/domain/relay-lock-rule';

/**
 * Whether a relay is running on this file, read from its lock without taking it: the tools only queue work, and
 * the person should know whether anything will pick it up.
 */
export function relayOnFile(db: Db, now: number): { running: boolean; says: string } {
  const holder = readRelayLockHolder(db);
  if (!holder) return { running: false, says: 'No relay is running on this database: queued work waits until one starts (npm start).' };
  const verdict = decideLock(holder, { owner: 'payrelay-cli', host: os.hostname() }, now, LOCK_STALE_AFTER_MS, holder.host === os.hostname() ? processAlive(holder.pid) : null);
  if (verdict.take) return { running: false, says: `No relay is running on this database (the last one, pid ${holder.pid} on ${holder.host}, is gone): queued work waits until one starts (npm start).` };
  return { running: true, says: `The relay running on this database (pid ${holder.pid} on ${holder.host}) applies queued work.` };
}
