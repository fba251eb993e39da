/**
 * What prune removes, table by table, as both stores spell it: the batch delete and the dry run's count read the
 * same predicate, so a dry run counts exactly what a run deletes.
 */
export interface PruneRule {
  table: string;
  /** The time column a row is old by; each store has an index with it, so a batch is an index range. */
  age: string;
  /** Rows that are never pruned whatever their age (pending commands, events still parked). */
  only?: string;
  /** Named for SQLite, whose planner without ANALYZE statistics reads the state index and sorts every done row. */
  sqliteIndex?: string;
}

export const PRUNE_EVENTS: PruneRule = { table: 'webhook_events', age: 'received_at' };
export const PRUNE_REJECTIONS: PruneRule = { table: 'webhook_rejections', age: 'received_at' };
export const PRUNE_DONE_OUTBOX: PruneRule = { table: 'outbox', age: 'updated_at', only: "state = 'done'", sqliteIndex: 'outbox_done_updated' };
export const PRUNE_SETTLED_PARKED: PruneRule = { table: 'parked_events', age: 'settled_at', only: "state <> 'parked'" };

/** Placeholders: SQLite's `?` or PostgreSQL's `$1`/`$2` (before, then limit). */
type Dialect = 'sqlite' | 'postgres';

const from = (rule: PruneRule, dialect: Dialect) => (dialect === 'sqlite' && rule.sqliteIndex ? `${rule.table} INDEXED BY ${rule.sqliteIndex}` : rule.table);
const older = (rule: PruneRule, dialect: Dialect) => `${rule.only ? `${rule.only} AND ` : ''}${rule.age} < ${dialect === 'sqlite' ? '?' : '$1'}`;

/** Up to `limit` of the oldest matching rows, by id (SQLite has no DELETE ... LIMIT by default; PostgreSQL none). */
export const pruneBatchSql = (rule: PruneRule, dialect: Dialect): string =>
  `DELETE FROM ${rule.table} WHERE id IN (SELECT id FROM ${from(rule, dialect)} WHERE ${older(rule, dialect)} ORDER BY ${rule.age} LIMIT ${dialect === 'sqlite' ? '?' : '$2'})`;

export const pruneCountSql = (rule: PruneRule, dialect: Dialect): string => `SELECT COUNT(*) AS n FROM ${from(rule, dialect)} WHERE ${older(rule, dialect)}`;
