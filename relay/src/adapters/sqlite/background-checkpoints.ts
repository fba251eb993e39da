import { Worker } from 'node:worker_threads';
import type { Logger } from '../../ports/logger';

/**
 * WAL checkpoints on a thread of their own, so no writer pays for them inside its COMMIT.
 *
 * SQLite's default is that the connection whose commit takes the WAL past 1,000 pages copies every page back into
 * the database file and fsyncs it, there and then. With a million stored events a webhook dirties about nine
 * pages, most of them leaves of big indexes at random places in a 1.9 GB file, and that copy was half of the
 * recorder thread's time (the relay took 1,000 webhooks/s against 1,700/s with checkpoints off). Here a
 * connection on another thread copies what was committed every CHECKPOINT_EVERY_MS (PASSIVE: it never blocks a
 * writer or a reader), and the relay's own connections checkpoint only past WRITER_AUTOCHECKPOINT_PAGES: by then
 * nearly everything is copied, so their checkpoint is short, and it is what lets the WAL start again from the
 * beginning (SQLite restarts the WAL only in a writer, once every frame is copied). If this thread dies, that
 * limit still keeps the WAL bounded.
 */
export const CHECKPOINT_EVERY_MS = 50;
export const WRITER_AUTOCHECKPOINT_PAGES = 10_000;

export interface BackgroundCheckpoints {
  /** Stops the thread after its current checkpoint; resolves once it has closed its connection. */
  stop(): Promise<void>;
}

/**
 * Plain JavaScript, evaluated, so the thread needs neither the build nor tsx (it only needs better-sqlite3,
 * resolved from here: an eval'd worker resolves modules from the working directory). A checkpoint that meets
 * another one (the prune's, or a writer's) is skipped: that one is copying the same frames.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (!String(error && error.code).startsWith('SQLITE_BUSY')) parentPort.postMessage({ error: String(error) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startBackgroundCheckpoints(file: string, logger: Logger, everyMs = CHECKPOINT_EVERY_MS): BackgroundCheckpoints {
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { file, everyMs, driver: require.resolve('better-sqlite3') } });
  let reported = false;
  worker.on('message', (message: { error?: string }) => {
    // Once: a checkpoint that fails fails every 50 ms. The writers' own checkpoints go on meanwhile.
    if (message.error && !reported) logger.warn('background WAL checkpoint failed; the relay checkpoints in its commits instead', { error: message.error });
    reported = true;
  });
  worker.on('error', (error) => logger.warn('the WAL checkpoint thread stopped; the relay checkpoints in its commits instead', { error: String(error) }));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Never what keeps the process alive.
  worker.unref();
  return {
    stop: async () => {
      // Held while it stops: when nothing else is left (a port in use at start-up), an unref'd thread's exit
      // would never come, and the process would end there with code 0 instead of the caller's.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
