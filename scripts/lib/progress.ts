/** Where progress goes: stdout, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  update(done: number, total: number): void;
  /** Ends the bar's line (a terminal) or prints the one plain line (anything else). */
  finish(summary: string): void;
}

/**
 * A progress bar redrawn in place on a terminal; on anything else (a pipe, a log file, cron's mail) no bar, only
 * the finishing line, so logs hold no carriage returns.
 */
export function progressBar(stream: ProgressStream, label: string): Progress {
  let drawn = false;
  return {
    update(done, total) {
      if (!stream.isTTY || total === 0) return;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 20));
      const filled = Math.round((done / total) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    finish(summary) {
      stream.write(`${drawn ? '\r\x1b[2K' : ''}${label}: ${summary}\n`);
      drawn = false;
    },
  };
}
