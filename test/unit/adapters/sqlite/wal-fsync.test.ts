import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUnitOfWork } from '../../../../relay/src/adapters/sqlite/group-commit';
import { openDatabase, type Db } from '../../../../relay/src/adapters/sqlite/open-database';
import { createWalFsync, type WalFsync } from '../../../../relay/src/adapters/sqlite/wal-fsync';

/**
 * The recorder thread's durability: COMMIT without fsync, then fdatasync of the WAL file off the thread, and no
 * answer before that flush returns. The flushes are intercepted, so the tests decide when the disk "finishes".
 */
describe('SQLite: WAL flushed off the thread before anyone is answered', () => {
  let dir: string;
  let db: Db;
  let flushes: Array<{ fd: number; finish: (error?: Error) => void }>;
  const opened: WalFsync[] = [];
  const walFsyncFor = (onFailure: (error: unknown) => void = () => {}): WalFsync => {
    const walFsync = createWalFsync(db, onFailure);
    opened.push(walFsync);
    return walFsync;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-walsync-'));
    db = openDatabase(path.join(dir, 'relay.db'));
    db.exec('CREATE TABLE t (v TEXT UNIQUE)');
    flushes = [];
    jest.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, callback: (error: Error | null) => void) => {
      flushes.push({ fd, finish: (error) => callback(error ?? null) });
    }) as typeof fs.fdatasync);
  });
  afterEach(() => {
    opened.splice(0).forEach((walFsync) => walFsync.close());
    jest.restoreAllMocks();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const insert = (v: string) => () => db.prepare('INSERT INTO t VALUES (?)').run(v).changes;
  const settledYet = async (promise: Promise<unknown>): Promise<boolean> => {
    let settled = false;
    void promise.then(() => (settled = true), () => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    return settled;
  };

  it('the group commit flushes the WAL file itself; the connection keeps synchronous=FULL for everything else', async () => {
    const walFsync = walFsyncFor();
    const uow = createUnitOfWork(db, { walFsync });
    // Inside the group commit the connection is at NORMAL: COMMIT leaves the fsync to walFsync.
    const committed = uow.commitDurably(() => [insert('a')(), db.pragma('synchronous', { simple: true })]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toHaveLength(1);
    expect(fs.fstatSync(flushes[0].fd).ino).toBe(fs.statSync(path.join(dir, 'relay.db-wal')).ino);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    flushes[0].finish();
    await expect(committed).resolves.toEqual([1, 1]);
  });

  it('nobody is answered until the flush after their commit has returned', async () => {
    const uow = createUnitOfWork(db, { walFsync: walFsyncFor() });
    const committed = uow.commitDurably(insert('a'));
    expect(await settledYet(committed)).toBe(false);
    // Committed (visible) but not yet acknowledged: the disk has not said it is done.
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 });
    flushes[0].finish();
    expect(await settledYet(committed)).toBe(true);
  });

  it('commits that land while a flush runs share the next one, which starts only after it', async () => {
    const uow = createUnitOfWork(db, { walFsync: walFsyncFor() });
    const first = uow.commitDurably(insert('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [uow.commitDurably(insert('b')), uow.commitDurably(insert('c'))];
    await new Promise((resolve) => setImmediate(resolve));
    const third = uow.commitDurably(insert('d'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toHaveLength(1);
    flushes[0].finish();
    await expect(first).resolves.toBe(1);
    // The first flush began before b, c and d were written: it covers none of them.
    expect(await settledYet(Promise.all([...later, third]))).toBe(false);
    expect(flushes).toHaveLength(2);
    flushes[1].finish();
    await expect(Promise.all([...later, third])).resolves.toEqual([1, 1, 1]);
  });

  it('a flush the disk refuses answers every waiter with the error, refuses all later commits, and reports it once', async () => {
    const failures: unknown[] = [];
    const uow = createUnitOfWork(db, { walFsync: walFsyncFor((error) => failures.push(error)) });
    const committed = uow.commitDurably(insert('a'));
    await new Promise((resolve) => setImmediate(resolve));
    flushes[0].finish(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(committed).rejects.toHaveProperty('code', 'EIO');
    // Refused before it is written: a caller retrying at once must not keep committing rows no flush covers.
    await expect(uow.commitDurably(insert('b'))).rejects.toHaveProperty('code', 'EIO');
    expect(db.prepare("SELECT COUNT(*) AS n FROM t WHERE v = 'b'").get()).toEqual({ n: 0 });
    expect(failures).toHaveLength(1);
  });

  it('a synchronous transaction commits as before (fsync inside COMMIT) and does not wait for a flush', () => {
    const uow = createUnitOfWork(db, { walFsync: walFsyncFor() });
    expect(uow.transaction(insert('a'))).toBe(1);
    expect(flushes).toHaveLength(0);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('closing refuses what waits for a flush, lets the one in flight finish, then closes the file', async () => {
    const walFsync = walFsyncFor();
    const uow = createUnitOfWork(db, { walFsync });
    const first = uow.commitDurably(insert('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const second = uow.commitDurably(insert('b'));
    await new Promise((resolve) => setImmediate(resolve));
    walFsync.close();
    await expect(second).rejects.toThrow(/closing/);
    // The descriptor stays open for the flush the disk is still doing.
    expect(() => fs.fstatSync(flushes[0].fd)).not.toThrow();
    flushes[0].finish();
    await expect(first).resolves.toBe(1);
    expect(() => fs.fstatSync(flushes[0].fd)).toThrow(/EBADF/);
    await expect(walFsync.afterCommit()).rejects.toThrow(/closing/);
  });
});
