/**
 * The relay's store as the command-line tools open it, chosen the way the relay chooses it (relay/src/relay.ts):
 * with PAYRELAY_DATABASE_URL the PostgreSQL adapters on the fleet's schema, without it the SQLite file at
 * PAYRELAY_DB. With a shop id, a registered shop's own store instead (data/shops/<id>.db, or the schema
 * <main>_shop_<id>) under that shop's own configuration (its providers, its WooCommerce).
 *
 * Opened as a second process beside running relays must open it: the store must exist (a tool never creates an
 * empty database where the relay would look), nothing is migrated (relays of another version may be using it),
 * the SQLite relay lock is left alone, and no outbox command is claimed: what the tools queue, the relays' workers
 * write, through their leases and their look for their own note first.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openPostgresAsIs, postgresSchemaVersion } from '../../relay/src/adapters/postgres/open-postgres';
import { PG_NATIVE_MISSING, type PgDb } from '../../relay/src/adapters/postgres/pg-database';
import { PG_MIGRATIONS } from '../../relay/src/adapters/postgres/pg-migrations';
import { releaseLeaderLock, tryLeaderLock } from '../../relay/src/adapters/postgres/postgres-fleet';
import { createPostgresOpsStore } from '../../relay/src/adapters/postgres/postgres-ops-store';
import { createPostgresSandboxLedger } from '../../relay/src/adapters/postgres/postgres-sandbox-ledger';
import { createPostgresShopRegistry } from '../../relay/src/adapters/postgres/postgres-shop-registry';
import { redactDatabaseUrl } from '../../relay/src/adapters/postgres/postgres-storage';
import { createPostgresStores } from '../../relay/src/adapters/postgres/postgres-stores';
import { MIGRATIONS } from '../../relay/src/adapters/sqlite/migrations';
import type { Db } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteOpsStore } from '../../relay/src/adapters/sqlite/sqlite-ops-store';
import { createSqliteShopRegistry } from '../../relay/src/adapters/sqlite/sqlite-shop-registry';
import { createSqliteStores, type Stores } from '../../relay/src/adapters/sqlite/sqlite-stores';
import type { RelayConfig } from '../../relay/src/config/config-schema';
import { loadConfig } from '../../relay/src/config/load-config';
import { shopConfig } from '../../relay/src/config/shop-config';
import type { OpsStore } from '../../relay/src/ports/ops-store';
import type { ShopRegistry } from '../../relay/src/ports/shop-registry';
import type { SandboxLedger } from '../../relay/src/providers/sandbox/sandbox-ledger';
import { SqliteSandboxLedger } from '../../relay/src/providers/sandbox/sqlite-sandbox-ledger';
import { CliError } from './cli';
import { relayOnFile, relaysOnSchema, type RelayStatus } from './relay-status';

/** Where the store is: a SQLite file, or a schema of a PostgreSQL database. */
export type StorePlace = { kind: 'file'; path: string } | { kind: 'schema'; url: string; schema: string };

export interface RelayStore {
  /** The relay's configuration, or with a shop id that shop's (as its relay runs it). */
  config: Readonly<RelayConfig>;
  place: StorePlace;
  /** For messages: the SQLite file as configured, or the database without its password and the schema. */
  where: string;
  /** The setting that chose this store, for "is this the right one?" hints. */
  setting: string;
  stores: Stores;
  ops: OpsStore;
  /** The sandbox provider's ledger (made on first use: it owns its table, like the relay's). */
  sandboxLedger(): SandboxLedger;
  /** Whether relays run on this store and will apply what a tool queued. */
  relays(now: number): RelayStatus;
  /**
   * PostgreSQL: the fleet's schedules lock (postgres-fleet.ts), which the leader holds while it lives; `take` is
   * false when a relay holds it. Null on SQLite, whose one relay runs its schedules without a lock.
   */
  schedules: { take(): boolean; release(): void } | null;
  /** After deleting many rows: SQLite folds its WAL back into the file; PostgreSQL's autovacuum needs nothing. */
  compact(): void;
  /** The SQLite handle (backup copies it), or null on PostgreSQL. */
  sqlite: Db | null;
  close(): void;
}

/** Opens the configured store, or with `shop` that registered shop's own. */
export function openRelayStore(options: { shop?: string } = {}, env: NodeJS.ProcessEnv = process.env): RelayStore {
  const relay = loadConfig(env);
  const config = options.shop ? registeredShopConfig(relay, options.shop, env) : relay;
  return config.databaseUrl ? openPostgresStore(config, config.databaseUrl, options.shop) : openSqliteStore(config, env, options.shop);
}

/** The shop's configuration as its relay gets it (relay-shops.ts), from the registry in the relay's main store. */
function registeredShopConfig(relay: Readonly<RelayConfig>, shopId: string, env: NodeJS.ProcessEnv): Readonly<RelayConfig> {
  const main = relay.databaseUrl ? checkedPostgres(relay, relay.databaseUrl, undefined) : null;
  const file = main ? null : checkedSqlite(relay, env, undefined);
  const registry: ShopRegistry = main ? createPostgresShopRegistry(main) : createSqliteShopRegistry(file!);
  try {
    const shop = registry.get(shopId);
    if (!shop) {
      const known = registry.list().map((s) => s.id);
      throw new CliError(`No shop "${shopId}" is registered on this relay (${known.length ? `registered: ${known.join(', ')}` : 'none is registered'}; npm run shops:list).`, 2);
    }
    return shopConfig(env, relay, shop, relay.publicUrl, registry.placeOf(shopId));
  } finally {
    main?.close();
    file?.close();
  }
}

function openSqliteStore(config: Readonly<RelayConfig>, env: NodeJS.ProcessEnv, shop: string | undefined): RelayStore {
  const db = checkedSqlite(config, env, shop);
  const stores = createSqliteStores(db);
  let ledger: SandboxLedger | null = null;
  return {
    config,
    place: { kind: 'file', path: config.databasePath },
    where: config.databasePath,
    setting: shop ? `PAYRELAY_DB, or another shop than --shop ${shop}` : 'PAYRELAY_DB',
    stores,
    ops: createSqliteOpsStore(db),
    sandboxLedger: () => (ledger ??= new SqliteSandboxLedger(db)),
    relays: (now) => relayOnFile(db, now),
    schedules: null,
    compact: () => void db.pragma('wal_checkpoint(TRUNCATE)'),
    sqlite: db,
    close: () => db.close(),
  };
}

function openPostgresStore(config: Readonly<RelayConfig>, url: string, shop: string | undefined): RelayStore {
  const db = checkedPostgres(config, url, shop);
  let ledger: SandboxLedger | null = null;
  return {
    config,
    place: { kind: 'schema', url, schema: db.schema },
    where: `${redactDatabaseUrl(url)} (schema ${db.schema})`,
    setting: shop ? `PAYRELAY_DATABASE_URL, or another shop than --shop ${shop}` : 'PAYRELAY_DATABASE_URL',
    // No claimAs: a tool never claims outbox commands; the relays' workers do.
    stores: createPostgresStores(db),
    ops: createPostgresOpsStore(db),
    sandboxLedger: () => (ledger ??= createPostgresSandboxLedger(db)),
    relays: (now) => relaysOnSchema(db, now),
    schedules: { take: () => tryLeaderLock(db), release: () => releaseLeaderLock(db) },
    compact: () => undefined,
    sqlite: null,
    close: () => db.close(),
  };
}

function checkedSqlite(config: Readonly<RelayConfig>, env: NodeJS.ProcessEnv, shop: string | undefined): Db {
  const file = config.databasePath;
  if (file === ':memory:') throw new CliError('PAYRELAY_DB is :memory:: that database lives inside the relay process; there is nothing to open from here.');
  if (!fs.existsSync(file)) {
    if (shop) throw new CliError(`Shop ${shop} has no database yet at ${file}: a relay creates it when it first serves the shop (npm start).`);
    const where = env.PAYRELAY_DB || env.PAYRELAY_CONFIG_FILE ? `${file}: there is no such file` : `${file}: PAYRELAY_DB is not set, and there is no such file at the relay's default path (relative to ${process.cwd()})`;
    throw new CliError(`No relay database at ${where}.\nStart the relay once (npm start) to create it, or set PAYRELAY_DB (or PAYRELAY_CONFIG_FILE) to the file your relay uses.`);
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${Math.floor(config.databaseBusyTimeoutMs)}`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) throw new CliError(`${path.resolve(file)} is not a relay database yet (no schema): start the relay once (npm start) on it.`);
    if (version < MIGRATIONS.length) {
      throw new CliError(`${path.resolve(file)} has schema version ${version}; these tools expect ${MIGRATIONS.length}. Start this version of the relay once: it migrates the file at start-up (take a backup first: npm run backup -- <file>).`);
    }
    if (version > MIGRATIONS.length) throw new CliError(`${path.resolve(file)} has schema version ${version}, newer than these tools (${MIGRATIONS.length}): use the tools of the relay version that runs on it.`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function checkedPostgres(config: Readonly<RelayConfig>, url: string, shop: string | undefined): PgDb {
  let db: PgDb;
  try {
    db = openPostgresAsIs(url, { schema: config.databaseSchema ?? undefined, lockTimeoutMs: config.databaseBusyTimeoutMs });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith(PG_NATIVE_MISSING)) throw new CliError(message);
    throw new CliError(`Cannot connect to the relay's PostgreSQL database ${redactDatabaseUrl(url)} (PAYRELAY_DATABASE_URL): ${message.split('\n')[0].trim()}`);
  }
  try {
    const where = `${redactDatabaseUrl(url)} (schema ${db.schema})`;
    const version = postgresSchemaVersion(db);
    if (version === null || version === 0) {
      throw new CliError(
        shop
          ? `Shop ${shop} has no tables yet in schema ${db.schema}: a relay creates them when it first serves the shop (npm start).`
          : `${where} has no relay tables yet: start a relay once with this PAYRELAY_DATABASE_URL (it creates them), or check the URL's database and search_path.`,
      );
    }
    if (version < PG_MIGRATIONS.length) {
      throw new CliError(`${where} has schema version ${version}; these tools expect ${PG_MIGRATIONS.length}. Start this version of the relay once: it migrates the schema at start-up (take a backup first: npm run backup says how).`);
    }
    if (version > PG_MIGRATIONS.length) throw new CliError(`${where} has schema version ${version}, newer than these tools (${PG_MIGRATIONS.length}): use the tools of the relay version that runs on it.`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
