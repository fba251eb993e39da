import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropPageCache } from '../../../../relay/src/adapters/sqlite/drop-page-cache';

/** Resident pages of a file, by util-linux's fincore (mincore(2)); null where it is missing. */
function residentPages(file: string): number | null {
  const run = spawnSync('fincore', ['--raw', '--noheadings', '--output', 'PAGES', file], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return null;
  return Number(run.stdout.trim());
}

const linuxWithFincore = process.platform === 'linux' && residentPages(__filename) !== null;

describe('dropping a database file from the page cache after a tool read it through', () => {
  (linuxWithFincore ? it : it.skip)('leaves none of the file cached, and the file as it was', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-page-cache-'));
    const file = path.join(dir, 'relay.db');
    const content = Buffer.alloc(8 << 20, 7);
    fs.writeFileSync(file, content);
    const fd = fs.openSync(file, 'r');
    fs.fdatasyncSync(fd); // written back, so clean: the kernel drops only clean pages
    fs.closeSync(fd);
    fs.readFileSync(file);
    expect(residentPages(file)).toBeGreaterThan(1000);

    expect(dropPageCache(file)).toEqual({ dropped: true });

    expect(residentPages(file)).toBe(0);
    expect(fs.readFileSync(file).equals(content)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says why when it cannot, instead of throwing', () => {
    const outcome = dropPageCache(path.join(os.tmpdir(), 'payrelay-no-such-dir', 'relay.db'));
    expect(outcome.dropped).toBe(false);
    if (!outcome.dropped) expect(outcome.reason).not.toBe('');
  });
});
