/**
 * One synchronous PostgreSQL connection (pg-native: libpq's blocking calls). The storage ports are synchronous
 * (`UnitOfWork.transaction(work: () => T)`, exactly like better-sqlite3), so the PostgreSQL stores run the same
 * one-transaction-per-event closures as the SQLite ones: BEGIN, the statements, COMMIT, all in one call. A
 * round trip to a local server is ~0.04 ms (measured: 2,000 prepared `SELECT $1` in a loop), cheap enough for the
 * HTTP loop; the webhook transactions run on the recorder thread's own connection.
 */

/** The part of pg-native's Client used here (the package ships no types). */
interface NativeClient {
  connectSync(params: string): void;
  querySync(text: string, values?: unknown[]): Array<Record<string, unknown>>;
  prepareSync(name: string, text: string, nParams: number): void;
  executeSync(name: string, values: unknown[]): Array<Record<string, unknown>>;
  end(cb?: () => void): void;
  pq: { cmdTuples(): string; resultErrorFields(): { sqlState?: string } | undefined; transactionStatus(): number; finish(): void };
}

export const PG_NATIVE_MISSING =
  'PAYRELAY_DATABASE_URL names a PostgreSQL database, but its driver pg-native is not installed (it builds on libpq). ' +
  'Install it with: apt-get install libpq-dev && npm install pg-native. Or unset PAYRELAY_DATABASE_URL to use SQLite.';

type ClientConstructor = new (config: { types: unknown }) => NativeClient;

function loadDriver(): ClientConstructor {
  try {
    // Loaded on demand: pg-native is an optional dependency, and the SQLite default never needs it.
    return require('pg-native') as ClientConstructor;
  } catch (error) {
    throw new Error(`${PG_NATIVE_MISSING} (${(error as Error).message.split('\n')[0]})`);
  }
}

/**
 * Counts come back as int8 and timestamps are int8 milliseconds: read as numbers (exact below 2^53, which a
 * millisecond clock reaches in the year 287,396). Everything else as pg-types reads it (bytea as a Buffer).
 */
function typeParsers(): unknown {
  const pgTypes = require('pg-types') as { getTypeParser(oid: number, format?: string): (value: string) => unknown };
  return {
    getTypeParser: (oid: number, format?: string) => (oid === 20 ? (value: string) => Number(value) : pgTypes.getTypeParser(oid, format)),
  };
}

/** libpq sends parameters as text: numbers as digits, a Buffer as bytea's hex form. */
function toParam(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

export interface PgDb {
  /** Rows of one statement, prepared once per connection and SQL text. */
  all<R>(sql: string, params?: readonly unknown[]): R[];
  get<R>(sql: string, params?: readonly unknown[]): R | undefined;
  /** How many rows an INSERT, UPDATE or DELETE touched. */
  run(sql: string, params?: readonly unknown[]): number;
  /** Several statements at once, no parameters (migrations). */
  exec(sql: string): void;
  /** One transaction; nested calls are savepoints (a failing inner one undoes only itself). */
  transaction<T>(work: () => T): T;
  close(): void;
  /** The server is gone for this connection (it ended it, or the network did): every statement will fail. */
  connectionLost(): boolean;
  /** The schema the connection works in (search_path), for keys that must not collide across schemas. */
  readonly schema: string;
}

/** The SQLSTATE of a failed statement (40P01 deadlock, 40001 serialization, 23505 unique), or null. */
export function sqlState(error: unknown): string | null {
  return (error as { code?: unknown })?.code && typeof (error as { code: unknown }).code === 'string' ? (error as { code: string }).code : null;
}

const lingering = new Set<NativeClient>();

/** A schema name as SQL: double-quoted, inner quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * `schema`: work in that schema alone (a registered shop's, schema per shop), whatever search_path the URL or the
 * server sets. It must exist before a query touches a table (openPostgres creates it).
 */
export function connectPg(url: string, options: { schema?: string } = {}): PgDb {
  const Client = loadDriver();
  const client = new Client({ types: typeParsers() });
  client.connectSync(url);
  const names = new Map<string, string>();
  let depth = 0;
  let closed = false;

  const withCode = (error: unknown): unknown => {
    const state = client.pq.resultErrorFields()?.sqlState;
    if (error instanceof Error && state) (error as Error & { code: string }).code = state;
    return error;
  };
  const execute = (sql: string, params: readonly unknown[]): Array<Record<string, unknown>> => {
    let name = names.get(sql);
    try {
      if (!name) {
        name = `p${names.size + 1}`;
        client.prepareSync(name, sql, params.length);
        names.set(sql, name);
      }
      return client.executeSync(name, params.map(toParam));
    } catch (error) {
      throw withCode(error);
    }
  };
  const simple = (sql: string): void => {
    try {
      client.querySync(sql);
    } catch (error) {
      throw withCode(error);
    }
  };
  // Notices (a skipped CREATE … IF NOT EXISTS) would go to stderr through libpq's default printer.
  simple('SET client_min_messages = warning');
  if (options.schema) simple(`SET search_path TO ${quoteIdent(options.schema)}`);
  const schema = options.schema ?? String(client.querySync('SELECT current_schema() AS s')[0]?.s ?? 'public');

  const db: PgDb = {
    schema,
    all: <R>(sql: string, params: readonly unknown[] = []) => execute(sql, params) as R[],
    get: <R>(sql: string, params: readonly unknown[] = []) => execute(sql, params)[0] as R | undefined,
    run: (sql, params = []) => {
      execute(sql, params);
      return Number(client.pq.cmdTuples() || 0);
    },
    exec: simple,
    transaction<T>(work: () => T): T {
      const savepoint = depth > 0 ? `sp${depth}` : null;
      simple(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
      depth += 1;
      let value: T;
      try {
        value = work();
      } catch (error) {
        depth -= 1;
        try {
          simple(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : 'ROLLBACK');
        } catch {
          // The connection is gone: the server has rolled back already.
        }
        throw error;
      }
      depth -= 1;
      // A COMMIT that fails has ended the transaction (rolled back): nothing to undo, only to report.
      simple(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
      return value;
    },
    // libpq's PQtransactionStatus is PQTRANS_UNKNOWN (4) once the connection is bad.
    connectionLost: () => !closed && client.pq.transactionStatus() === 4,
    close() {
      if (closed) return;
      closed = true;
      client.pq.finish();
      // finish() hands the socket's watcher to libuv to close on its next turn, without a callback: the addon's
      // memory must outlive that turn, or libuv aborts on freed memory (seen when a closed client was collected
      // at once). Held a moment, then let go.
      lingering.add(client);
      setTimeout(() => lingering.delete(client), 1000).unref();
    },
  };
  return db;
}
