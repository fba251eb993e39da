import type { PgDb } from './pg-database';
import { DATABASE_NOW_MS } from './postgres-outbox-store';

/**
 * What several relays on one PostgreSQL database agree on, beyond the row-level rules of the stores:
 * - Leadership: the schedules (expiry sweep, reconciliation, alarms) run on one relay of the fleet. The leader
 *   holds a session-level advisory lock; PostgreSQL drops it when the leader's connection ends (a SIGKILL closes
 *   the socket), and another relay takes it at its next heartbeat.
 * - Outbox leases are short and renewed by each relay's heartbeat, so a dead relay's claims run out within one
 *   lease and are taken over, while a live relay keeps a slow shop call however long it takes.
 * - An order's session requests, and its refunds, take turns across the fleet through the OrderLock port
 *   (postgres-order-lock.ts: an advisory lock held while the provider is asked), so a double click that lands on
 *   two relays makes one provider call at a time, like it does on one.
 * Circuit breakers stay per relay: each relay learns a provider's health from its own calls.
 */
export interface PostgresFleet {
  /**
   * One heartbeat: renew this relay's leases on `inHand` (the commands its worker is running now), write its
   * heartbeat row and take the leadership if it is free. Only those leases: a command whose outcome could not be
   * recorded (a lock or a connection blip at the end) is pending with this relay's lease on it, and renewing that
   * lease would hide it from every relay, this one included, for as long as this relay lives; left alone it runs
   * out and is run again. The three are independent: the leases come first, and a step that throws (the row's
   * write meeting a lock) skips none of the others; the first error is thrown after them all, for the log.
   */
  beat(now: number, inHand: readonly number[]): void;
  isLeader(): boolean;
  /** This relay's row in relay_heartbeats, written now (the beat does it too; /readyz uses it as its real write). */
  recordHeartbeat(now: number): void;
  /** Leaving the fleet on a clean stop: the row goes (a killed relay's row just stops moving). */
  leave(): void;
}

/** A lease outlives three missed heartbeats; a dead relay's commands wait at most this long. */
export const FLEET_HEARTBEAT_MS = 2_000;
export const FLEET_LEASE_MS = 10_000;

import os from 'node:os';

// Two-key advisory locks: the first key is the schema, so relays of other schemas (tests, other shops) never collide.
const SPACE = `hashtext(current_schema())`;

/**
 * The schedules' leader lock of the schema `db` works in, as a relay's heartbeat takes it: true when this
 * connection holds it now (it is held until released or the connection ends). `npm run reconcile` takes it for
 * its pass, so no relay runs the same sweep meanwhile.
 */
export function tryLeaderLock(db: PgDb): boolean {
  return db.get<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${SPACE}, hashtext('payrelay-leader')) AS ok`)!.ok === true;
}

export function releaseLeaderLock(db: PgDb): void {
  db.get(`SELECT pg_advisory_unlock(${SPACE}, hashtext('payrelay-leader'))`);
}

export interface FleetMember {
  owner: string;
  pid: number;
  host: string;
  startedAt: number;
  heartbeatAt: number;
}

/** The relays whose heartbeat is younger than a lease: alive, and running the outbox of this schema. */
export function liveFleetMembers(db: PgDb, now: number): FleetMember[] {
  return db
    .all<{ owner: string; pid: number; host: string; started_at: number; heartbeat_at: number }>(
      'SELECT owner, pid, host, started_at, heartbeat_at FROM relay_heartbeats WHERE heartbeat_at > $1 ORDER BY started_at, owner',
      [now - FLEET_LEASE_MS],
    )
    .map((row) => ({ owner: row.owner, pid: row.pid, host: row.host, startedAt: row.started_at, heartbeatAt: row.heartbeat_at }));
}

export function createPostgresFleet(db: PgDb, owner: string, startedAt = Date.now()): PostgresFleet {
  let leader = false;
  const recordHeartbeat = (now: number): void => {
    db.run(
      `INSERT INTO relay_heartbeats (owner, pid, host, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
      [owner, process.pid, os.hostname(), startedAt, now],
    );
  };
  return {
    recordHeartbeat,
    leave: () => {
      db.run('DELETE FROM relay_heartbeats WHERE owner = $1', [owner]);
    },
    beat(now, inHand) {
      const failures: unknown[] = [];
      const step = (work: () => void): void => {
        try {
          work();
        } catch (error) {
          failures.push(error);
        }
      };
      // First: a lease not renewed for one beat too many lets another relay run the command beside this one.
      step(() => {
        if (inHand.length === 0) return;
        // By the database's clock, like the claims (postgres-outbox-store.ts): relays' clocks may disagree.
        db.run(
          `UPDATE outbox SET lease_until = ${DATABASE_NOW_MS} + $1::bigint
           WHERE state = 'pending' AND lease_owner = $2 AND lease_until > ${DATABASE_NOW_MS} AND id = ANY($3::bigint[])`,
          [FLEET_LEASE_MS, owner, `{${inHand.join(',')}}`],
        );
      });
      step(() => recordHeartbeat(now));
      step(() => {
        if (!leader) leader = tryLeaderLock(db);
      });
      if (failures.length > 0) throw failures[0];
    },
    isLeader: () => leader,
  };
}
