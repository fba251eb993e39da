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

const reply = (message: WriterReply): void => parentPort!.postMessage(message);

function flush(): void {
  const items = batch;
  batch = [];
  let values: unknown[];
  try {
    // IMMEDIATE: take the write lock before reading, so the decision is made on what the commit will see.
    values = db.transaction(() => items.map(run)).immediate();
  } catch {
    // One item (or the commit) failed: nothing was committed. Each item alone, so one bad item cannot cost the
    // others their acknowledgement.
    for (const item of items) {
      try {
        reply({ id: item.id, ok: true, value: db.transaction(() => run(item)).immediate() });
      } catch (error) {
        reply({ id: item.id, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return;
  }
  items.forEach((item, index) => reply({ id: item.id, ok: true, value: values[index] }));
}

parentPort!.on('message', (request: WriterRequest | { kind: 'close' }) => {
  if (request.kind === 'close') {
    if (batch.length > 0) flush();
    db.close();
    parentPort!.close();
    return;
  }
  batch.push(request);
  if (batch.length === 1) setImmediate(flush);
});
