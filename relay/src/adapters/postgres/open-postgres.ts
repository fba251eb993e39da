import { connectPg, quoteIdent, type PgDb } from './pg-database';
import { PG_MIGRATIONS } from './pg-migrations';

/**
 * Connects and brings the schema up to date. synchronous_commit=on (PostgreSQL's default, set here so a server
 * tuned for speed cannot weaken it for us): COMMIT returns once the WAL is flushed, so a webhook is durable before
 * its 2xx, as on SQLite with synchronous=FULL.
 */
export function openPostgres(url: string, options: { lockTimeoutMs?: number; schema?: string } = {}): PgDb {
  const db = connectPg(url, { schema: options.schema });
  if (options.schema) createSchema(db, options.schema);
  setSessionRules(db, options.lockTimeoutMs);
  migratePostgres(db);
  return db;
}

/**
 * A relay database as it is, for the command-line tools: connected with the relay's session rules, but no schema
 * is created and nothing migrated (relays of another version may be running on it). Check postgresSchemaVersion.
 */
export function openPostgresAsIs(url: string, options: { lockTimeoutMs?: number; schema?: string } = {}): PgDb {
  const db = connectPg(url, { schema: options.schema });
  try {
    setSessionRules(db, options.lockTimeoutMs);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The version of the relay tables where `db` works (its search_path), or null when there are none yet. */
export function postgresSchemaVersion(db: PgDb): number | null {
  if (!db.get<{ found: string | null }>("SELECT to_regclass('payrelay_schema')::text AS found")?.found) return null;
  return db.get<{ version: number }>('SELECT version FROM payrelay_schema')?.version ?? 0;
}

function setSessionRules(db: PgDb, lockTimeoutMs = 5000): void {
  db.exec('SET synchronous_commit = on');
  // The connection is synchronous: a wait for another relay's row lock stalls this thread. Bounded like
  // SQLite's busy timeout (PAYRELAY_DB_BUSY_TIMEOUT_MS); a webhook that cannot be stored then gets a 503.
  db.exec(`SET lock_timeout = ${Math.floor(lockTimeoutMs)}`);
}

/** Several relays may start at once on a fresh database: one migrates under a lock, the others wait and find it done. */
export function migratePostgres(db: PgDb): void {
  db.transaction(() => {
    db.get("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':payrelay-migrate'))");
    db.exec('CREATE TABLE IF NOT EXISTS payrelay_schema (version INTEGER NOT NULL)');
    if (!db.get('SELECT version FROM payrelay_schema')) db.run('INSERT INTO payrelay_schema (version) VALUES (0)');
  });
  const current = db.get<{ version: number }>('SELECT version FROM payrelay_schema')!.version;
  if (current > PG_MIGRATIONS.length) {
    db.close();
    throw new Error(`database schema version ${current} is newer than this relay (${PG_MIGRATIONS.length}); upgrade the relay`);
  }
  for (let version = current; version < PG_MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.get("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':payrelay-migrate'))");
      // Another relay may have run this one while this one waited for the lock.
      if (db.get<{ version: number }>('SELECT version FROM payrelay_schema')!.version !== version) return;
      db.exec(PG_MIGRATIONS[version]);
      db.run('UPDATE payrelay_schema SET version = $1', [version + 1]);
    });
  }
}

/**
 * A registered shop's schema, made on its first start. Two relays of a fleet may start the shop at once, and two
 * concurrent CREATE SCHEMA IF NOT EXISTS can still both try to insert it (a unique violation): one at a time.
 */
function createSchema(db: PgDb, schema: string): void {
  db.transaction(() => {
    db.get("SELECT pg_advisory_xact_lock(hashtext('payrelay-create-schema'), hashtext($1))", [schema]);
    db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  });
}
