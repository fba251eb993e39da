import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort, startRelayProcess } from '../helpers/relay-process';
import { canReadPageCache, residentPages } from '../helpers/page-cache';

/**
 * A database file copied into place (a restore with cp) is in the page cache in large folios, which make every
 * random page a checkpoint writes cost a whole folio (drop-page-cache.ts). The relay lets go of them at start.
 */
describe('a relay started on a database file the page cache holds', () => {
  (canReadPageCache ? it : it.skip)('leaves in the cache only what it read since', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-start-cache-'));
    const file = path.join(dir, 'relay.db');
    const db = new Database(file);
    db.exec('CREATE TABLE filler (b BLOB)');
    const insert = db.prepare('INSERT INTO filler (b) VALUES (?)');
    db.transaction(() => { for (let i = 0; i < 256; i += 1) insert.run(Buffer.alloc(32 << 10, i)); })();
    db.close();
    // As `cp` leaves it: the whole file in the cache, and not yet written back.
    fs.writeFileSync(file, fs.readFileSync(file));
    expect(residentPages(file)).toBeGreaterThan(2000);

    const relay = startRelayProcess({ PAYRELAY_PORT: String(await freePort()), PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: file, PAYRELAY_LOG_LEVEL: 'error' }, { inherit: true });
    try {
      await relay.listening;
      expect(residentPages(file)).toBeLessThan(200);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
