import type { Locked, OrderLock } from '../../ports/order-lock';
import { createInProcessOrderLock } from '../in-process-order-lock';
import type { PgDb } from './pg-database';

const RETRY_MS = 20;

/**
 * The lock across a fleet: this relay's own queue first, then a session-level advisory lock on the relay's
 * connection. The queue is needed as well because PostgreSQL counts a session's advisory locks (a second
 * pg_try_advisory_lock on the same connection succeeds): it keeps this relay's requests one at a time, the
 * advisory lock keeps the relays one at a time. PostgreSQL lets go of the advisory lock when the connection ends,
 * so a relay that dies (even by SIGKILL) holds no order up. Two-key locks, the first key being the schema (a
 * shop's, schema per shop), so shops and test schemas never wait for one another. Waiting polls with
 * pg_try_advisory_lock on a timer: the connection is synchronous, and a blocking pg_advisory_lock would stall the
 * whole relay.
 */
export function createPostgresOrderLock(db: PgDb, local: OrderLock = createInProcessOrderLock()): OrderLock {
  const tryLock = (key: string) => db.get<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext(current_schema()), hashtext($1)) AS ok', [key])!.ok === true;
  const unlock = (key: string) => {
    try {
      db.get('SELECT pg_advisory_unlock(hashtext(current_schema()), hashtext($1))', [key]);
    } catch {
      // The connection is gone, and the lock with it: the work's answer (a refund made) must still reach the shop.
    }
  };
  return {
    async run<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<Locked<T>> {
      const deadline = Date.now() + waitMs;
      const outer = await local.run(key, waitMs, async (): Promise<Locked<T>> => {
        while (!tryLock(key)) {
          if (Date.now() + RETRY_MS > deadline) return { acquired: false };
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
        try {
          return { acquired: true, value: await work() };
        } finally {
          unlock(key);
        }
      });
      return outer.acquired ? outer.value : outer;
    },
  };
}
