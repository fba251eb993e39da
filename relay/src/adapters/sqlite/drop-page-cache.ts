import { spawnSync } from 'node:child_process';

/**
 * Asks the kernel to forget the clean cached pages of a database file, after a tool read it from end to end.
 *
 * Why: a sequential read (the backup, a prune's walk through old rows, a `cp` of the file) makes the kernel read
 * ahead into large page-cache folios (Linux 6.18 on ext4: about 100 KiB each). From then on every 4 KiB page a WAL
 * checkpoint writes back at a random place in a big index dirties a whole folio, and the kernel writes the whole
 * folio: after a backup on a cold cache, one checkpoint of 7,679 pages (2,000 webhooks on a million stored events)
 * wrote 1.9 GB instead of 22.5 MB, and the WAL's own fsyncs, which every acknowledgement waits for, queue behind
 * that. Pages read again afterwards come back one at a time, as SQLite asks for them.
 *
 * Node has no posix_fadvise; coreutils' `dd iflag=nocache count=0` is POSIX_FADV_DONTNEED over the whole file.
 * Dirty pages are left alone by the kernel, so this is safe beside a running relay. Elsewhere (no GNU dd) it
 * reports why it did nothing; nothing depends on it.
 */
export function dropPageCache(file: string): { dropped: true } | { dropped: false; reason: string } {
  if (process.platform !== 'linux') return { dropped: false, reason: `not on Linux (${process.platform})` };
  const run = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], { encoding: 'utf8', timeout: 10_000 });
  if (run.error) return { dropped: false, reason: String(run.error.message) };
  if (run.status !== 0) return { dropped: false, reason: (run.stderr || `dd exited with ${run.status}`).trim() };
  return { dropped: true };
}
