import os from 'node:os';
import { liveFleetMembers } from '../../relay/src/adapters/postgres/postgres-fleet';
import type { PgDb } from '../../relay/src/adapters/postgres/pg-database';
import { processAlive, readRelayLockHolder } from '../../relay/src/adapters/sqlite/sqlite-relay-lock';
import type { Db } from '../../relay/src/adapters/sqlite/open-database';
import { decideLock, LOCK_STALE_AFTER_MS } from '../../relay/src/domain/relay-lock-rule';

/** Whether anything will pick up what a tool queued, in one sentence for the person who ran it. */
export interface RelayStatus {
  running: boolean;
  says: string;
}

const NONE = 'No relay is running on this database: queued work waits until one starts (npm start).';

/**
 * Whether a relay is running on this file, read from its lock without taking it: the tools only queue work, and
 * the person should know whether anything will pick it up.
 */
export function relayOnFile(db: Db, now: number): RelayStatus {
  const holder = readRelayLockHolder(db);
  if (!holder) return { running: false, says: NONE };
  const verdict = decideLock(holder, { owner: 'payrelay-cli', host: os.hostname() }, now, LOCK_STALE_AFTER_MS, holder.host === os.hostname() ? processAlive(holder.pid) : null);
  if (verdict.take) return { running: false, says: `No relay is running on this database (the last one, pid ${holder.pid} on ${holder.host}, is gone): queued work waits until one starts (npm start).` };
  return { running: true, says: `The relay running on this database (pid ${holder.pid} on ${holder.host}) applies queued work.` };
}

/** The same for a fleet's schema: the relays whose heartbeat is fresh (relay_heartbeats), any of which runs the outbox. */
export function relaysOnSchema(db: PgDb, now: number): RelayStatus {
  const members = liveFleetMembers(db, now);
  const who = members.map((member) => `pid ${member.pid} on ${member.host}`).join(', ');
  if (members.length === 0) return { running: false, says: NONE };
  if (members.length === 1) return { running: true, says: `The relay running on this database (${who}) applies queued work.` };
  return { running: true, says: `The ${members.length} relays running on this database (${who}) apply queued work: whichever claims a command runs it, once.` };
}
