import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteStores, type Stores } from '../../relay/src/adapters/sqlite/sqlite-stores';
import { connectPg, type PgDb } from '../../relay/src/adapters/postgres/pg-database';
import { openPostgres } from '../../relay/src/adapters/postgres/open-postgres';
import { createPostgresStores } from '../../relay/src/adapters/postgres/postgres-stores';

/**
 * One suite, two entry points: the storage-touching suites run on SQLite by default and on PostgreSQL when
 * PAYRELAY_TEST_STORE=postgres (scripts/test-postgres.js sets it). Each PostgreSQL user gets a schema of its own,
 * dropped after, so test files running side by side never see each other's rows.
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.PAYRELAY_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
export const TEST_POSTGRES_URL = process.env.PAYRELAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Raw SQL for assertions, on either store; `?` placeholders (SQLite's) become $1, $2… on PostgreSQL. */
export interface TestSql {
  get<R = any>(sql: string, ...params: unknown[]): R | undefined;
  all<R = any>(sql: string, ...params: unknown[]): R[];
  run(sql: string, ...params: unknown[]): number;
  close(): void;
}

export function sqliteSql(db: Database): TestSql {
  return {
    get: (sql, ...params) => db.prepare(sql).get(...params) as any,
    all: (sql, ...params) => db.prepare(sql).all(...params) as any[],
    run: (sql, ...params) => db.prepare(sql).run(...params).changes,
    close: () => undefined,
  };
}

export function pgSql(db: PgDb): TestSql {
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    get: (sql, ...params) => db.get(numbered(sql), params),
    all: (sql, ...params) => db.all(numbered(sql), params),
    run: (sql, ...params) => db.run(numbered(sql), params),
    close: () => db.close(),
  };
}

/** The URL of `base` with its connections working in `schema` (libpq's options parameter sets search_path). */
export function withSearchPath(base: string, schema: string): string {
  // Spelled by hand: URLSearchParams writes a space as '+', which libpq reads literally.
  return `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface TestSchema {
  url: string;
  name: string;
  drop(): void;
}

/** A fresh, empty schema in the test database; drop() removes it with everything in it, and its shops' schemas (<name>_shop_<id>). */
export function createTestSchema(): TestSchema {
  const name = `payrelay_t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = connectPg(TEST_POSTGRES_URL);
  admin.exec(`CREATE SCHEMA ${name}`);
  admin.close();
  return {
    url: withSearchPath(TEST_POSTGRES_URL, name),
    name,
    drop() {
      const again = connectPg(TEST_POSTGRES_URL);
      const shops = again.all<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", [`${name}_shop_`]);
      for (const schema of [name, ...shops.map((row) => row.nspname)]) again.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      again.close();
    },
  };
}

/** A migrated database of the store under test, with its stores and raw SQL, for store-level tests. */
export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  stores: Stores;
  sql: TestSql;
  /** The native handle: better-sqlite3's Database or the PostgreSQL connection. */
  sqlite: Database | null;
  pg: PgDb | null;
  close(): void;
}

export function openTestDatabase(): TestDatabase {
  if (TEST_STORE === 'sqlite') {
    const db = openDatabase(':memory:');
    return { kind: 'sqlite', stores: createSqliteStores(db), sql: sqliteSql(db), sqlite: db, pg: null, close: () => db.close() };
  }
  const schema = createTestSchema();
  const db = openPostgres(schema.url);
  return {
    kind: 'postgres',
    stores: createPostgresStores(db),
    sql: pgSql(db),
    sqlite: null,
    pg: db,
    close() {
      db.close();
      schema.drop();
    },
  };
}

/**
 * Two connections to one database, as two relays have: a SQLite file opened twice, or one PostgreSQL schema
 * connected twice. `open(n)` gives connection n (0 or 1).
 */
export function openSharedTestDatabase(): { kind: 'sqlite' | 'postgres'; connections: [TestDatabase, TestDatabase]; close(): void } {
  if (TEST_STORE === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-shared-'));
    const file = path.join(dir, 'relay.db');
    const one = (): TestDatabase => {
      const db = openDatabase(file);
      return { kind: 'sqlite', stores: createSqliteStores(db), sql: sqliteSql(db), sqlite: db, pg: null, close: () => db.close() };
    };
    const connections: [TestDatabase, TestDatabase] = [one(), one()];
    return { kind: 'sqlite', connections, close: () => (connections.forEach((c) => c.close()), fs.rmSync(dir, { recursive: true, force: true })) };
  }
  const schema = createTestSchema();
  const one = (): TestDatabase => {
    const db = openPostgres(schema.url);
    return { kind: 'postgres', stores: createPostgresStores(db), sql: pgSql(db), sqlite: null, pg: db, close: () => db.close() };
  };
  const connections: [TestDatabase, TestDatabase] = [one(), one()];
  return { kind: 'postgres', connections, close: () => (connections.forEach((c) => c.close()), schema.drop()) };
}

/**
 * A migrated relay database for the command-line tools to open as a second process: a SQLite file, or under
 * PAYRELAY_TEST_STORE=postgres a fresh schema. `env` points a tool at it (PAYRELAY_DB, PAYRELAY_DATABASE_URL);
 * `stores` and `sql` are the test's own connection to it, open until close() (which removes it all).
 */
export interface ToolTestStore {
  kind: 'sqlite' | 'postgres';
  env: Record<string, string>;
  stores: Stores;
  sql: TestSql;
  /** The PostgreSQL connection (its schema is `pg.schema`), or null on SQLite. */
  pg: PgDb | null;
  close(): void;
}

export function createToolTestStore(): ToolTestStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-tool-'));
  const file = path.join(dir, 'relay.db');
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  if (TEST_STORE === 'sqlite') {
    const db = openDatabase(file);
    return { kind: 'sqlite', env: { PAYRELAY_DB: file }, stores: createSqliteStores(db), sql: sqliteSql(db), pg: null, close: () => (db.close(), removeDir()) };
  }
  const schema = createTestSchema();
  const db = openPostgres(schema.url);
  return {
    kind: 'postgres',
    // PAYRELAY_DB too, as a fleet's relays have it: the URL must win, and the file must never be created.
    env: { PAYRELAY_DB: file, PAYRELAY_DATABASE_URL: schema.url },
    stores: createPostgresStores(db),
    sql: pgSql(db),
    pg: db,
    close: () => (db.close(), schema.drop(), removeDir()),
  };
}
