/**
 * `npm run prune`: deletes webhook events (raw bodies and dedupe keys), rejected attempts and finished outbox
 * commands older than PAYRELAY_RETENTION_DAYS (at least 45: Adyen retries for up to 30 days, and a dedupe key must
 * outlive every retry). Sessions and the payment log are kept: they are the order's history.
 */
import { openDatabase } from '../relay/src/adapters/sqlite/open-database';
import { createSqliteStores } from '../relay/src/adapters/sqlite/sqlite-stores';
import { ConfigError, loadConfig } from '../relay/src/config/load-config';

try {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  const stores = createSqliteStores(db);
  const before = Date.now() - config.retentionDays * 24 * 3600_000;
  const events = stores.inbox.pruneBefore(before);
  const outbox = stores.outbox.pruneDoneBefore(before);
  const parked = stores.parked.pruneBefore(before);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(`pruned ${events} webhook events and rejections and ${outbox} finished outbox commands and ${parked} settled parked events older than ${config.retentionDays} days (${new Date(before).toISOString()})`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
