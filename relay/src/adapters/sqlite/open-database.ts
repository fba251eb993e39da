import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

const CACHE_KIB = 64 * 1024;

/**
 * Opens (creating if needed) the relay's SQLite file: WAL so readers never block the writer, synchronous=FULL so
 * a commit is on disk before we acknowledge a provider, and a busy timeout so a briefly locked file waits
 * instead of failing. Then brings the schema up to date.
 */
export function openDatabase(file: string, options: { busyTimeoutMs?: number; walAutocheckpointPages?: number } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.floor(options.busyTimeoutMs ?? 5000)}`);
  db.pragma('foreign_keys = ON');
  // SQLite's default page cache is 2 MiB: at a million stored events the inner pages of the big indexes alone do
  // not fit, and every webhook reads them from the kernel again. 64 MiB per connection, taken only as used:
  // bench:scale p99 ack 1M/empty 3.11 → 2.16 (3 rounds each).
  db.pragma(`cache_size = -${CACHE_KIB}`);
  // Raised where background-checkpoints.ts copies the WAL back on its own thread; SQLite's 1,000 elsewhere.
  if (options.walAutocheckpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${Math.floor(options.walAutocheckpointPages)}`);
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this relay (${MIGRATIONS.length}); upgrade the relay`);
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
