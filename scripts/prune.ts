/**
 * `npm run prune`: deletes webhook events (raw bodies and dedupe keys), rejected attempts and finished outbox
 * commands older than PAYRELAY_RETENTION_DAYS (at least 45: Adyen retries for up to 30 days, and a dedupe key must
 * outlive every retry). Sessions and the payment log are kept: they are the order's history. It deletes in small
 * batches with a pause between them (app/prune-old-data.ts), so the relay's webhooks are stored meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { countPrunable, PRUNE_BATCH_ROWS, pruneOldData } from '../relay/src/app/prune-old-data';
import { parseCommandLine, runCommand, SHOP_OPTION, when, type CommandSpec } from './lib/cli';
import { openRelayStore } from './lib/relay-store';

/**
 * Between batches: at least long enough for the relay's waiting writes (its lock retry is 2 ms) to take the lock,
 * and three times as long as the batch took, so the prune keeps to a quarter of a core on a 2-core machine.
 */
const PAUSE_MS = 5;
const IDLE_PER_BUSY = 3;

/** A pause that measures the batch before it (the time since the last pause ended). */
function pacedPause(): () => Promise<void> {
  let batchStarted = performance.now();
  return async () => {
    await sleep(Math.max(PAUSE_MS, (performance.now() - batchStarted) * IDLE_PER_BUSY));
    batchStarted = performance.now();
  };
}

const spec: CommandSpec = {
  name: 'prune',
  summary:
    'Deletes stored webhook events (their raw bodies and dedupe keys), rejected attempts, finished outbox commands\n' +
    'and settled parked events older than PAYRELAY_RETENTION_DAYS (default and minimum 45 days: a dedupe key must\n' +
    'outlive every provider retry). Payment sessions and the payment log are kept. Safe while the relay runs: it\n' +
    `deletes ${PRUNE_BATCH_ROWS} rows at a time and lets the relay write between batches.`,
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
      : await pruneOldData(stores, before, { batchRows: PRUNE_BATCH_ROWS, pause: pacedPause() });
    if (!values['dry-run']) store.compact();
    const { events, outbox, parked } = counts;
    const verb = values['dry-run'] ? 'would prune' : 'pruned';
    console.log(`${verb} ${events} webhook events and rejections, ${outbox} finished outbox commands and ${parked} settled parked events older than ${config.retentionDays} days (before ${when(before)})`);
    if (values['dry-run']) console.log('Dry run: nothing was deleted.');
  } finally {
    store.close();
  }
});
