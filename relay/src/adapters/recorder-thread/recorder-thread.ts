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
import { STORAGE_FAILED_EXIT_CODE, type ForwardedLog, type FromRecorderThread, type RecordReply, type RecordRequest, type RecorderThreadSetup, type ToRecorderThread } from './thread-messages';

const setup = workerData as RecorderThreadSetup;
let logs: ForwardedLog[] = [];

const db = openDatabase(setup.databasePath, { busyTimeoutMs: setup.busyTimeoutMs });
const walFsync = createWalFsync(db, (error) => {
  logs.push({ level: 'error', message: 'the disk failed to flush the webhook database (fdatasync); webhooks are refused until the relay restarts', fields: { error: String(error) } });
  // The failed batch's replies and this log go out first.
  setImmediate(() => {
    sendReplies();
    process.exit(STORAGE_FAILED_EXIT_CODE);
  });
});
process.on('exit', () => walFsync.close());
const stores = createSqliteStores(db, { walFsync });
const recorder = createInProcessRecorder(stores, stores.unitOfWork, setup.livemode);

let replies: RecordReply[] = [];
let inFlight = 0;
let closing = false;
const sendReplies = (): void => {
  const message: FromRecorderThread = { replies, logs };
  replies = [];
  logs = [];
  parentPort!.postMessage(message);
  if (closing && inFlight === 0) shutDown();
};
const shutDown = (): void => {
  db.close();
  parentPort!.close();
};

const bytes = (raw: Uint8Array): Buffer => Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);

function record(request: RecordRequest): Promise<unknown> {
  switch (request.kind) {
    case 'events':
      return recorder.recordEvents(request.events, bytes(request.raw), request.receivedAt);
    case 'notification':
      return recorder.recordNotification(request.provider, request.ref, bytes(request.raw), request.receivedAt);
    case 'rejection':
      return recorder.recordRejection(request.provider, request.code, request.message, request.receivedAt);
  }
}

parentPort!.on('message', (message: ToRecorderThread) => {
  if (message.kind === 'close') {
    closing = true;
    // Replies still waiting for sendReplies go out first; it shuts down after them.
    if (inFlight === 0 && replies.length === 0) shutDown();
    return;
  }
  for (const request of message.requests) {
    inFlight += 1;
    record(request).then(
      (value): RecordReply => ({ id: request.id, ok: true, value }),
      (error: unknown): RecordReply => ({ id: request.id, ok: false, error: String(error) }),
    ).then((reply) => {
      inFlight -= 1;
      // Replies of one commit travel back as one message.
      if (replies.push(reply) === 1) setImmediate(sendReplies);
    });
  }
});
