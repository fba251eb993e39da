/**
 * `npm run prune`: deletes webhook events (raw bodies and dedupe keys), rejected attempts and finished outbox
 * commands older than PAYRELAY_RETENTION_DAYS (at least 45: Adyen retries for up to 30 days, and a dedupe key must
 * outlive every retry). Sessions and the payment log are kept: they are the order's history. It deletes in small
 * batches paced by how long each takes (app/prune-old-data.ts, domain/prune-pace.ts), so the relay's webhooks are
 * stored meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isLockBusy } from '../relay/src/adapters/sqlite/commit-batch';
import type { Db } from '../relay/src/adapters/sqlite/open-database';
import { dropPageCache } from '../relay/src/adapters/sqlite/drop-page-cache';
import { countPrunable, pruneOldData } from '../relay/src/app/prune-old-data';
import { DEFAULT_PRUNE_PACE, FIRST_PRUNE_PACE, nextPrunePace } from '../relay/src/domain/prune-pace';
import { parseCommandLine, runCommand, SHOP_OPTION, when, type CommandSpec } from './lib/cli';
import { openRelayStore } from './lib/relay-store';

/**
 * On SQLite: a deleted row need not be on disk before the next batch (after a crash the next prune deletes it
 * again), so no fsync per batch inside the write lock (synchronous=NORMAL; the relay's own commits carry these
 * frames to disk with theirs). The pages a batch freed are copied back by the prune itself, timed as its work,
 * not left to a webhook's commit: wal_autocheckpoint 0, and one PASSIVE checkpoint after each batch.
 */
function checkpointAfterEachBatch(db: Db): () => void {
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  return () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      if (!isLockBusy(error)) throw error; // another checkpoint (the relay's thread) is copying the same frames
    }
  };
}

function reportPageCacheDrop(file: string): void {
  const drop = dropPageCache(file);
  if (!drop.dropped) console.log(`Could not ask the kernel to drop the pages the prune read (${drop.reason}); harmless, see "Disk writes on a big store" in the README.`);
}

const spec: CommandSpec = {
  name: 'prune',
  summary:
    'Deletes stored webhook events (their raw bodies and dedupe keys), rejected attempts, finished outbox commands\n' +
    'and settled parked events older than PAYRELAY_RETENTION_DAYS (default and minimum 45 days: a dedupe key must\n' +
    'outlive every provider retry). Payment sessions and the payment log are kept. Safe while the relay runs: it\n' +
    `deletes in short batches (${DEFAULT_PRUNE_PACE.minRows}-${DEFAULT_PRUNE_PACE.maxRows} rows, sized to take ~${DEFAULT_PRUNE_PACE.targetBatchMs} ms) and sleeps between them, working at\n` +
    `most ${DEFAULT_PRUNE_PACE.share * 100}% of the time: slower while the relay is busy.`,
  options: { 'dry-run': { type: 'boolean', short: 'n', description: 'only count what would be deleted (by the same rules; nothing is written)' }, shop: SHOP_OPTION },
  notes: ['Example (cron, weekly): 30 4 * * 0 cd /opt/payrelay && npm run -s prune'],
};

runCommand(async () => {
  const { values } = parseCommandLine(spec);
  const store = openRelayStore({ shop: values.shop as string | undefined });
  const { config, stores } = store;
  try {
    const before = Date.now() - config.retentionDays * 24 * 3600_000;
    const counts = values['dry-run']
      ? countPrunable(stores, before)
      : await pruneOldData(stores, before, {
          batchRows: FIRST_PRUNE_PACE().rows,
          pace: (last) => nextPrunePace(last),
          pause: (ms) => sleep(ms),
          afterBatch: store.sqlite ? checkpointAfterEachBatch(store.sqlite) : undefined,
        });
    if (!values['dry-run']) store.compact();
    const { events, outbox, parked } = counts;
    const verb = values['dry-run'] ? 'would prune' : 'pruned';
    console.log(`${verb} ${events} webhook events and rejections, ${outbox} finished outbox commands and ${parked} settled parked events older than ${config.retentionDays} days (before ${when(before)})`);
    if (values['dry-run']) console.log('Dry run: nothing was deleted.');
    // Its walk through the oldest rows read them ahead in large page-cache folios (drop-page-cache.ts says why that
    // costs the relay's checkpoints dear).
    if (store.sqlite) reportPageCacheDrop(store.sqlite.name);
  } finally {
    store.close();
  }
});
