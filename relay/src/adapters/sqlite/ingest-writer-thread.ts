/**
 * The ingest writer: a worker thread with its own SQLite connection that turns verified webhooks into durable
 * rows. Running the transaction and its fsync here keeps them off the HTTP event loop, which goes on parsing and
 * verifying the next requests meanwhile. Messages that arrive together are committed together (group commit).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { recordNotification } from '../../app/record-notification';
import { recordProviderEvent } from '../../app/record-provider-event';
import { openDatabase } from './open-database';
import { createSqliteStores } from './sqlite-stores';
import type { WriterReply, WriterRequest } from './threaded-recorder';

const { databasePath, livemode, busyTimeoutMs } = workerData as { databasePath: string; livemode: boolean; busyTimeoutMs: number };
const db = openDatabase(databasePath, { busyTimeoutMs });
const stores = createSqliteStores(db);
let batch: WriterRequest[] = [];

const run = (request: WriterRequest): unknown => {
  const raw = Buffer.from(request.raw);
  return request.kind === 'events'
    ? request.events.map((event) => recordProviderEvent(stores, event, raw, 'signature', livemode, request.receivedAt))
    : recordNotification(stores, request.provider, request.ref, raw, request.receivedAt);
};

function flush(): void {
  const items = batch;
  batch = [];
  let replies: WriterReply[];
  try {
    // IMMEDIATE: take the write lock before reading, so the decision is made on what the commit will see.
    const values = db.transaction(() => items.map(run)).immediate();
    replies = items.map((item, index) => ({ id: item.id, ok: true, value: values[index] }));
  } catch {
    // One item (or the commit) failed: nothing was committed. Each item alone, so one bad item cannot cost the
    // others their acknowledgement.
    replies = items.map((item): WriterReply => {
      try {
        return { id: item.id, ok: true, value: db.transaction(() => run(item)).immediate() };
      } catch (error) {
        return { id: item.id, ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    });
  }
  parentPort!.postMessage(replies);
}

parentPort!.on('message', (message: WriterRequest[] | { kind: 'close' }) => {
  if (!Array.isArray(message)) {
    if (batch.length > 0) flush();
    db.close();
    parentPort!.close();
    return;
  }
  // Messages that arrive while a commit runs are committed together in the next one.
  if (batch.length === 0) setImmediate(flush);
  batch.push(...message);
});
