import type { InboxStore } from '../ports/inbox-store';
import type { OutboxStore } from '../ports/outbox-store';
import type { ParkedEventStore } from '../ports/parked-event-store';

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
  /** Rows per batch: each batch is one short write transaction. */
  batchRows: number;
  /** Awaited between batches, so the relay's writes waiting for the lock get it (SQLite has one writer). */
  pause: () => Promise<void>;
}

/**
 * At a million stored events a batch of 250 deleted in 2–10 ms on a busy 2-core machine, about one of the relay's
 * own group commits; one DELETE of everything old (168,000 events) held the write lock for 3 s, and every webhook
 * waited behind it (or got a 503 once its busy timeout ran out). 1,000 rows took 20–60 ms.
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
  for (const kind of KINDS) {
    for (;;) {
      const removed = storeOf(stores, kind).pruneBatch(before, options.batchRows);
      counts[kind] += removed;
      if (removed > 0) await options.pause();
      // A short batch found nothing more that old: no need to ask once more.
      if (removed < options.batchRows) break;
    }
  }
  return counts;
}
