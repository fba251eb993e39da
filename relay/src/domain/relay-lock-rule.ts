/**
 * One relay per database file: two would both run the outbox and write every note to the shop twice. The
 * holder keeps a heartbeat in the file; a newcomer takes the lock over only from a holder that is gone.
 */
export interface LockHolder {
  owner: string;
  pid: number;
  host: string;
  since: number;
  heartbeatAt: number;
}

/** How old a holder's heartbeat may get (it beats every 5 s) before another relay takes the file over. */
export const LOCK_STALE_AFTER_MS = 30_000;

export type LockVerdict = { take: true; reason: 'free' | 'stale' | 'holder_exited' | 'ours' } | { take: false; holder: LockHolder };

/**
 * `holderAlive`: whether the holder's process still exists, when it ran on this host (null: cannot tell, another
 * host). A holder on this host whose process is gone is taken over at once (a crash, SIGKILL); one elsewhere only
 * when its heartbeat is older than `staleAfterMs`.
 */
export function decideLock(holder: LockHolder | null, me: { owner: string; host: string }, now: number, staleAfterMs: number, holderAlive: boolean | null): LockVerdict {
  if (!holder) return { take: true, reason: 'free' };
  if (holder.owner === me.owner) return { take: true, reason: 'ours' };
  if (holder.host === me.host && holderAlive === false) return { take: true, reason: 'holder_exited' };
  if (now - holder.heartbeatAt > staleAfterMs) return { take: true, reason: 'stale' };
  return { take: false, holder };
}

export function describeHolder(holder: LockHolder, file: string, now: number, staleAfterMs: number): string {
  const ago = Math.max(0, Math.round((now - holder.heartbeatAt) / 1000));
  return `another relay is using the database ${file}: pid ${holder.pid} on ${holder.host}, running since ${new Date(holder.since).toISOString()} (last heartbeat ${ago} s ago). `
    + 'Two relays on one file would both write to the shop: stop that one first, or give this one its own PAYRELAY_DB. '
    + `A relay that stopped without letting go is taken over ${Math.round(staleAfterMs / 1000)} s after its last heartbeat (at once if it ran on this host).`;
}
