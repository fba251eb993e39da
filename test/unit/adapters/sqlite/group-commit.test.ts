import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../../../../relay/src/adapters/sqlite/open-database';
import { commitBatch } from '../../../../relay/src/adapters/sqlite/commit-batch';
import { createUnitOfWork } from '../../../../relay/src/adapters/sqlite/group-commit';
import { MIGRATIONS } from '../../../../relay/src/adapters/sqlite/migrations';

describe('SQLite: durable group commit and migrations', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-gc-'));
    db = openDatabase(path.join(dir, 'relay.db'));
    db.exec('CREATE TABLE t (v TEXT UNIQUE)');
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => (db.prepare('SELECT v FROM t ORDER BY v').all() as Array<{ v: string }>).map((r) => r.v);

  it('opens in WAL mode with fsync on every commit', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('work submitted in the same turn commits together, and each caller gets its own result', async () => {
    const uow = createUnitOfWork(db);
    const results = await Promise.all(['a', 'b', 'c'].map((v) => uow.commitDurably(() => db.prepare('INSERT INTO t VALUES (?)').run(v).changes)));
    expect(results).toEqual([1, 1, 1]);
    expect(rows()).toEqual(['a', 'b', 'c']);
  });

  it('one failing item does not cost the others their commit', async () => {
    const uow = createUnitOfWork(db);
    const insert = (v: string) => uow.commitDurably(() => db.prepare('INSERT INTO t VALUES (?)').run(v));
    const outcomes = await Promise.allSettled([insert('a'), insert('a'), insert('b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rows()).toEqual(['a', 'b']);
  });

  it('nothing is acknowledged when the commit itself fails', async () => {
    const uow = createUnitOfWork(db);
    db.pragma('query_only = ON');
    // Matched by code: better-sqlite3's error class comes from another jest realm when an earlier file loaded it.
    await expect(uow.commitDurably(() => db.prepare('INSERT INTO t VALUES (?)').run('x'))).rejects.toHaveProperty('code', 'SQLITE_READONLY');
    db.pragma('query_only = OFF');
    expect(rows()).toEqual([]);
  });

  it('with lockWaitMs, a write lock held elsewhere is waited out on a timer, never by blocking the thread', async () => {
    const other = new Database(path.join(dir, 'relay.db'));
    other.exec('BEGIN IMMEDIATE');
    const uow = createUnitOfWork(db, { lockWaitMs: 5000 });
    const started = Date.now();
    const committed = uow.commitDurably(() => db.prepare('INSERT INTO t VALUES (?)').run('a').changes);
    // The thread stays free: five 5 ms timers fire while the commit waits (SQLite's busy handler would hold the
    // thread for the whole 5 s busy timeout first).
    const waitStarted = Date.now();
    await new Promise<void>((resolve) => {
      let ticks = 0;
      const timer = setInterval(() => {
        if (++ticks < 5) return;
        clearInterval(timer);
        resolve();
      }, 5);
    });
    expect(Date.now() - waitStarted).toBeLessThan(1000);
    expect(rows()).toEqual([]);
    other.exec('COMMIT');
    other.close();
    await expect(committed).resolves.toBe(1);
    expect(rows()).toEqual(['a']);
    // The connection's own busy timeout is back for synchronous transactions.
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('with lockWaitMs, a lock held longer than that fails the commit with SQLITE_BUSY (the webhook gets a 503)', async () => {
    const other = new Database(path.join(dir, 'relay.db'));
    other.exec('BEGIN IMMEDIATE');
    const uow = createUnitOfWork(db, { lockWaitMs: 50 });
    await expect(uow.commitDurably(() => db.prepare('INSERT INTO t VALUES (?)').run('a'))).rejects.toHaveProperty('code', 'SQLITE_BUSY');
    other.exec('ROLLBACK');
    other.close();
    expect(rows()).toEqual([]);
  });

  it('a lock that cannot be taken runs no item at all, so nothing commits out of order', () => {
    const other = new Database(path.join(dir, 'relay.db'));
    other.exec('BEGIN IMMEDIATE');
    db.pragma('busy_timeout = 0');
    const ran: string[] = [];
    const transactions = jest.spyOn(db, 'transaction');
    const outcomes = commitBatch(db, ['a', 'b'].map((v) => () => ran.push(v)));
    const attempts = transactions.mock.calls.length;
    transactions.mockRestore();
    other.exec('ROLLBACK');
    other.close();
    expect(outcomes.map((o) => (o.ok ? 'ok' : (o.error as { code: string }).code))).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
    // The batch's BEGIN failed before any item ran, and no item was retried alone.
    expect(ran).toEqual([]);
    expect(attempts).toBe(1);
  });

  it('a connection closed under a pending group commit rejects its items instead of losing them', async () => {
    const uow = createUnitOfWork(db, { lockWaitMs: 100 });
    const pending = uow.commitDurably(() => db.prepare('INSERT INTO t VALUES (?)').run('a'));
    db.close();
    await expect(pending).rejects.toThrow(/not open/);
    db = openDatabase(':memory:');
  });

  it('refuses a database written by a newer relay', () => {
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDatabase(path.join(dir, 'relay.db'))).toThrow(/newer than this relay/);
    db = openDatabase(':memory:');
  });
});
