/**
 * `npm run backup -- <file>`: a consistent copy of the relay's SQLite database, taken with SQLite's online backup
 * API while the relay keeps running and writing. The copy is then opened and checked (integrity_check).
 * On PostgreSQL it copies nothing: it says which pg_dump command backs up the configured schema (a tool of the
 * database server's own version does that better than a copy made here could).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dropPageCache } from '../relay/src/adapters/sqlite/drop-page-cache';
import { loadConfig } from '../relay/src/config/load-config';
import { CliError, parseCommandLine, runCommand, SHOP_OPTION, type CommandSpec } from './lib/cli';
import { pgDumpAdvice } from './lib/pg-dump-advice';
import { openRelayStore } from './lib/relay-store';
import { renderTable } from './lib/table';

const spec: CommandSpec = {
  name: 'backup',
  args: '<file>',
  summary:
    "Copies the relay's SQLite database to <file> with SQLite's online backup API: safe while the relay runs and\n" +
    'receives webhooks (it is not stopped or locked out). The copy holds every event acknowledged before the backup\n' +
    'started. Then opens the copy and runs PRAGMA integrity_check on it.',
  positionals: { min: 1, max: 1 },
  options: { force: { type: 'boolean', short: 'f', description: 'overwrite <file> if it exists' }, shop: SHOP_OPTION },
  notes: [
    'Example (cron, nightly at 03:10): 10 3 * * * cd /opt/payrelay && npm run -s backup -- /var/backups/payrelay-$(date +\\%F).db',
    'With PAYRELAY_DATABASE_URL (PostgreSQL) nothing is copied: it prints the pg_dump command for the schema and exits 1.',
  ],
};

/** Tables worth naming in the summary: what a person restoring the copy wants to see counted. */
const COUNTED = ['payment_sessions', 'webhook_events', 'payment_log', 'outbox', 'alerts'];

runCommand(async () => {
  const { values, positionals } = parseCommandLine(spec);
  const shop = values.shop as string | undefined;
  if (loadConfig().databaseUrl) {
    // Opened all the same: the schema is named from the database itself, and a wrong URL is said now, not at 03:10.
    const store = openRelayStore({ shop });
    try {
      if (store.place.kind === 'schema') throw new CliError(pgDumpAdvice(store.place, positionals[0], { withShops: !shop }));
    } finally {
      store.close();
    }
  }
  const target = path.resolve(positionals[0]);
  if (!fs.existsSync(path.dirname(target))) throw new CliError(`Cannot write ${target}: the folder ${path.dirname(target)} does not exist.`);
  if (fs.existsSync(target) && !values.force) throw new CliError(`${target} exists already; give another file, or --force to overwrite it.`, 2);
  const store = openRelayStore({ shop });
  const { config } = store;
  const db = store.sqlite!;
  const close = () => store.close();
  const source = path.resolve(config.databasePath);
  if (source === target) throw new CliError('The backup file is the relay database itself; give another file.', 2);
  const started = Date.now();
  try {
    const tmp = `${target}.partial`;
    fs.rmSync(tmp, { force: true });
    // One step for every page (the first progress call returns "all the rest"): a backup copied in slices restarts
    // each time the relay writes between two slices, and under a steady stream of webhooks might never finish. A
    // single step reads one snapshot; in WAL mode the relay keeps writing meanwhile.
    const result = await db.backup(tmp, { progress: () => 0x7fffffff });
    const copy = new Database(tmp, { fileMustExist: true });
    try {
      const integrity = copy.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new CliError(`The copy failed its integrity check (${String(integrity)}); ${tmp} is kept for a look. The relay database was not changed.`);
      // A self-contained file: the snapshot folded into it, no -wal beside it to lose in a copy.
      copy.pragma('journal_mode = DELETE');
      const counts = COUNTED.map((table) => [table, (copy.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n] as [string, number]);
      const version = copy.pragma('user_version', { simple: true });
      copy.close();
      fs.renameSync(tmp, target);
      const bytes = fs.statSync(target).size;
      console.log(`Backed up ${source} to ${target}: ${result.totalPages} pages, ${(bytes / 1024 / 1024).toFixed(1)} MiB, schema version ${String(version)}, in ${Date.now() - started} ms.`);
      console.log(renderTable(['table', 'rows'], counts));
      console.log('The copy opens and passes PRAGMA integrity_check. Restore: stop the relay, move (mv) the copy to PAYRELAY_DB, start it.');
      // The backup read the whole relay file, ahead, in large page-cache folios (drop-page-cache.ts says why that
      // costs the relay's checkpoints dear); the copy was written a page at a time and needs nothing.
      const drop = dropPageCache(db.name);
      if (!drop.dropped) console.log(`Could not ask the kernel to drop the pages the backup read (${drop.reason}); harmless, see "Disk writes on a big store" in the README.`);
    } catch (error) {
      if (copy.open) copy.close();
      throw error;
    }
  } finally {
    close();
  }
});
