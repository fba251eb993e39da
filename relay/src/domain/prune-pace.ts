/**
 * How fast a prune may go beside a live relay (SQLite has one writer). Each batch holds the write lock while it
 * runs, and every webhook that arrives meanwhile waits for it; so batches are kept about as short as one of the
 * relay's own group commits, and the prune sleeps long enough after each one that it takes only `share` of the
 * time. A batch's time is also the gauge of how busy the relay is: when acknowledgements slow down (the lock
 * is contended, the cores and the disk are busy), the same rows take longer, so the next batch is smaller and
 * the pause after it longer; when the relay is idle the prune speeds back up.
 */
export interface PrunePace {
  /** Rows the next batch deletes. */
  rows: number;
  /** Sleep before it, in ms. */
  pauseMs: number;
}

export interface PrunePacePolicy {
  /** How long one batch should hold the write lock, in ms. */
  targetBatchMs: number;
  /** The share of the time the prune may work (its batches and checkpoints); the rest it sleeps. */
  share: number;
  minRows: number;
  maxRows: number;
  /** Never less between batches: the relay's waiting writes take the lock meanwhile (its lock retry is 2 ms). */
  minPauseMs: number;
}

/**
 * At a million stored events, with the relay idle: 250 events took 5–7 ms and 250 finished shop writes 1 ms
 * (synchronous=NORMAL, no checkpoint inside); under the benchmark's load the same batch took 20–80 ms.
 */
export const DEFAULT_PRUNE_PACE: PrunePacePolicy = { targetBatchMs: 4, share: 0.1, minRows: 20, maxRows: 1000, minPauseMs: 5 };

export const FIRST_PRUNE_PACE = (policy: PrunePacePolicy = DEFAULT_PRUNE_PACE): PrunePace => ({ rows: policy.minRows * 5, pauseMs: 0 });

/**
 * The next batch's size and the pause before it, from how long the last batch (`rows` rows, and whatever
 * checkpoint followed it) took. The size moves towards what fits in targetBatchMs at the rate just measured, by
 * at most a factor of two per batch, so one slow batch (a checkpoint, a hiccup) does not swing it to the floor.
 */
export function nextPrunePace(last: { rows: number; busyMs: number }, policy: PrunePacePolicy = DEFAULT_PRUNE_PACE): PrunePace {
  const busyMs = Math.max(last.busyMs, 0.01);
  const fitting = (last.rows * policy.targetBatchMs) / busyMs;
  const rows = Math.round(Math.min(policy.maxRows, Math.max(policy.minRows, Math.min(last.rows * 2, Math.max(last.rows / 2, fitting)))));
  const pauseMs = Math.max(policy.minPauseMs, (busyMs * (1 - policy.share)) / policy.share);
  return { rows, pauseMs };
}
