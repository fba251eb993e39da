import { spawnSync } from 'node:child_process';

/** Resident pages of a file, by util-linux's fincore (mincore(2)); null where it is missing. */
export function residentPages(file: string): number | null {
  const run = spawnSync('fincore', ['--raw', '--noheadings', '--output', 'PAGES', file], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return null;
  return Number(run.stdout.trim());
}

/** Whether page-cache residency can be read here (Linux with fincore). */
export const canReadPageCache = process.platform === 'linux' && residentPages(__filename) !== null;
