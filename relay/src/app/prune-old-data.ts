import type { InboxStore } from '../ports/inbox-store';
import type { OutboxStore } from '../ports/outbox-store';
import type { ParkedEventStore } from '../ports/parked-event-store';
import type { PrunePace } from '../domain/prune-pace';

type Prunable = Pick<InboxStore & OutboxStore & ParkedEventStore, 'pruneBatch' | 'countPrunable'>;

export interface PruneStores {
  inbox: Prunable;
  outbox: Prunable;
  parked: Prunable;
}

/** Events and rejections, finished outbox commands, settled parked events. */
export interface PruneCounts {
  events: number;
  outbox: number;
  parked: number;
}

export interface PruneOptions {
  /** Rows per batch; with `pace`, the first batch's. Each batch is one short write transaction. */
  batchRows: number;
  /** Awaited between batches, so the relay's writes waiting for the lock get it (SQLite has one writer). */
  pause: (ms: number) => Promise<void>;
  /**
   * The next batch's rows and the pause before it, from how long the last one took (domain/prune-pace.ts).
   * Without it every batch has batchRows rows and the pause is 0 ms.
   */
  pace?: (last: { rows: number; busyMs: number }) => PrunePace;
  /** Runs after each batch and is timed with it (the prune's own checkpoint of the pages it freed). */
  afterBatch?: () => void;
  /** A monotonic clock in ms, for the batches' times. */
  now?: () => number;
}

/**
 * Where no pace is given (tests, the dry run's reference). At a million stored events a batch of 250 deleted in
 * 2–10 ms on a busy 2-core machine; one DELETE of everything old (168,000 events) held the write lock for 3 s,
 * and every webhook waited behind it (or got a 503 once its busy timeout ran out).
 */
export const PRUNE_BATCH_ROWS = 250;

const KINDS = ['events', 'outbox', 'parked'] as const;
const storeOf = (stores: PruneStores, kind: (typeof KINDS)[number]): Prunable =>
  kind === 'events' ? stores.inbox : kind === 'outbox' ? stores.outbox : stores.parked;

/** What pruneOldData would remove now, by the same predicates, without writing (a dry run takes no write lock). */
export function countPrunable(stores: PruneStores, before: number): PruneCounts {
  return { events: stores.inbox.countPrunable(before), outbox: stores.outbox.countPrunable(before), parked: stores.parked.countPrunable(before) };
}

/** Deletes everything older than `before` (see scripts/prune.ts for what that is), oldest first, batch by batch. */
export async function pruneOldData(stores: PruneStores, before: number, options: PruneOptions): Promise<PruneCounts> {
  const counts: PruneCounts = { events: 0, outbox: 0, parked: 0 };
  const now = options.now ?? (() => performance.now());
  let pace: PrunePace = { rows: options.batchRows, pauseMs: 0 };
  for (const kind of KINDS) {
    for (;;) {
      const started = now();
      const rows = pace.rows;
      const removed = storeOf(stores, kind).pruneBatch(before, rows);
      counts[kind] += removed;
      if (removed > 0) options.afterBatch?.();
      const busyMs = now() - started;
      if (options.pace) pace = options.pace({ rows, busyMs });
      if (removed > 0) await options.pause(pace.pauseMs);
      // A short batch found nothing more that old: no need to ask once more.
      if (removed < rows) break;
    }
  }
  return counts;
}
