/**
 * `npm run prune`: deletes webhook events (raw bodies and dedupe keys), rejected attempts and finished outbox
 * commands older than PAYRELAY_RETENTION_DAYS (at least 45: Adyen retries for up to 30 days, and a dedupe key must
 * outlive every retry). Sessions and the payment log are kept: they are the order's history.
 */
import { createSqliteStores } from '../relay/src/adapters/sqlite/sqlite-stores';
import { openRelayDatabase, parseCommandLine, runCommand, when, type CommandSpec } from './lib/cli';

const spec: CommandSpec = {
  name: 'prune',
  summary:
    'Deletes stored webhook events (their raw bodies and dedupe keys), rejected attempts, finished outbox commands\n' +
    'and settled parked events older than PAYRELAY_RETENTION_DAYS (default and minimum 45 days: a dedupe key must\n' +
    'outlive every provider retry). Payment sessions and the payment log are kept. Safe while the relay runs.',
  options: { 'dry-run': { type: 'boolean', short: 'n', description: 'only count what would be deleted (the deletes run and are rolled back)' } },
  notes: ['Example (cron, weekly): 30 4 * * 0 cd /opt/payrelay && npm run -s prune'],
};

/** Thrown to roll a dry run's transaction back, carrying its counts out. */
class DryRun {
  constructor(readonly counts: { events: number; outbox: number; parked: number }) {}
}

runCommand(() => {
  const { values } = parseCommandLine(spec);
  const { config, db, close } = openRelayDatabase();
  try {
    const stores = createSqliteStores(db);
    const before = Date.now() - config.retentionDays * 24 * 3600_000;
    const prune = () => ({ events: stores.inbox.pruneBefore(before), outbox: stores.outbox.pruneDoneBefore(before), parked: stores.parked.pruneBefore(before) });
    let counts;
    if (values['dry-run']) {
      // The stores' own deletes, undone: the count is exactly what a real run would delete, by the same rules.
      try {
        db.transaction(() => {
          throw new DryRun(prune());
        })();
      } catch (outcome) {
        if (!(outcome instanceof DryRun)) throw outcome;
        counts = outcome.counts;
      }
    } else {
      counts = prune();
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    const { events, outbox, parked } = counts!;
    const verb = values['dry-run'] ? 'would prune' : 'pruned';
    console.log(`${verb} ${events} webhook events and rejections, ${outbox} finished outbox commands and ${parked} settled parked events older than ${config.retentionDays} days (before ${when(before)})`);
    if (values['dry-run']) console.log('Dry run: nothing was deleted.');
  } finally {
    close();
  }
});
