import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startBackgroundCheckpoints, WRITER_AUTOCHECKPOINT_PAGES } from '../../../../relay/src/adapters/sqlite/background-checkpoints';
import { openDatabase, type Db } from '../../../../relay/src/adapters/sqlite/open-database';
import type { Logger } from '../../../../relay/src/ports/logger';

/**
 * The WAL is copied back into the database file by a thread of its own, not by the writer's commits: what a
 * writer committed reaches the main file (read here without its WAL) while the writer does nothing more.
 */
describe('SQLite: WAL checkpoints on a thread of their own', () => {
  let dir: string;
  let file: string;
  let db: Db;
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message), info: () => {}, error: () => {}, debug: () => {} } as unknown as Logger;

  /**
   * The rows the database file holds on its own: a copy of the main file, without its -wal beside it, or
   * undefined when the copy was taken while the thread was writing pages into the file (a torn copy SQLite reads
   * as malformed; the next look takes another).
   */
  const rowsInMainFile = (): number | undefined => {
    const copy = path.join(dir, `main-only-${Date.now()}-${Math.random()}.db`);
    fs.copyFileSync(file, copy);
    const reader = new Database(copy, { readonly: true });
    try {
      const exists = reader.prepare("SELECT 1 FROM sqlite_schema WHERE name = 't'").get();
      return exists ? (reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n : 0;
    } catch (error) {
      if (['SQLITE_CORRUPT', 'SQLITE_NOTADB'].includes((error as { code?: string }).code ?? '')) return undefined;
      throw error;
    } finally {
      reader.close();
      fs.rmSync(copy, { force: true });
    }
  };
  const waitFor = async (check: () => boolean, ms = 5000): Promise<void> => {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-checkpoints-'));
    file = path.join(dir, 'relay.db');
    db = openDatabase(file, { walAutocheckpointPages: WRITER_AUTOCHECKPOINT_PAGES });
    warnings.length = 0;
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the writer commits into the WAL only; the thread copies it into the database file', async () => {
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WRITER_AUTOCHECKPOINT_PAGES);
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => { for (let i = 0; i < 500; i += 1) insert.run(`row ${i}`); })();
    // Nothing has copied it yet: the writer's own limit is far away.
    expect(rowsInMainFile()).toBe(0);

    const checkpoints = startBackgroundCheckpoints(file, logger, 10);
    try {
      await waitFor(() => rowsInMainFile() === 500);
      db.transaction(() => { for (let i = 0; i < 100; i += 1) insert.run(`more ${i}`); })();
      await waitFor(() => rowsInMainFile() === 600);
    } finally {
      await checkpoints.stop();
    }
    expect(warnings).toEqual([]);
    // The torn copies were the copies' doing: the database itself is whole.
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  test('stop closes its connection: the last connection to close removes the WAL, as without the thread', async () => {
    db.exec('CREATE TABLE t (v TEXT); INSERT INTO t (v) VALUES (1)');
    const checkpoints = startBackgroundCheckpoints(file, logger, 10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await checkpoints.stop();
    db.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    db = openDatabase(file);
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(1);
  });
});
