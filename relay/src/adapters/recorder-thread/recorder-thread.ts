/**
 * The recorder thread: turns verified webhooks into durable rows on its own SQLite connection. The HTTP thread
 * reads, verifies and parses them and writes the answers; the transactions run here, on the other core.
 * Requests that arrive together are committed together (group commit), and answered once an fdatasync of the
 * WAL, run on libuv's pool while the next batch is built, has returned (wal-fsync.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createInProcessRecorder } from '../../app/in-process-recorder';
import { openDatabase } from '../sqlite/open-database';
import { createSqliteStores } from '../sqlite/sqlite-stores';
import { createWalFsync } from '../sqlite/wal-fsync';
import { STORAGE_FAILED_EXIT_CODE, type ToRecorder } from '../remote-recorder/recorder-messages';
import { serveRecorder } from '../remote-recorder/serve-recorder';
import type { RecorderThreadSetup } from './threaded-recorder';

const setup = workerData as RecorderThreadSetup;

const db = openDatabase(setup.databasePath, { busyTimeoutMs: setup.busyTimeoutMs, walAutocheckpointPages: setup.walAutocheckpointPages });
const walFsync = createWalFsync(db, (error) => {
  server.log({ level: 'error', message: 'the disk failed to flush the webhook database (fdatasync); webhooks are refused until the relay restarts', fields: { error: String(error) } });
  // The failed batch's replies and this log go out first.
  setImmediate(() => {
    server.flush();
    process.exit(STORAGE_FAILED_EXIT_CODE);
  });
});
process.on('exit', () => walFsync.close());
const stores = createSqliteStores(db, { walFsync });

const server = serveRecorder(
  {
    send: (message) => parentPort!.postMessage(message),
    onMessage: (listener) => void parentPort!.on('message', (message: ToRecorder) => listener(message)),
    shutDown: () => {
      db.close();
      parentPort!.close();
    },
  },
  createInProcessRecorder(stores, stores.unitOfWork, setup.livemode),
);
