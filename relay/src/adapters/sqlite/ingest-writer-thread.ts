/**
 * The ingest writer: a worker thread with its own SQLite connection that turns verified webhooks into durable
 * rows. Running the transaction and its fsync here keeps them off the HTTP event loop, which goes on parsing and
 * verifying the next requests meanwhile. Messages that arrive together are committed together (group commit).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { recordNotification } from '../../app/record-notification';
import { recordProviderEvent } from '../../app/record-provider-event';
import { commitBatch } from './commit-batch';
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
  const outcomes = commitBatch(
    db,
    items.map((item) => () => run(item)),
  );
  parentPort!.postMessage(
    outcomes.map((outcome, index): WriterReply =>
      outcome.ok
        ? { id: items[index].id, ok: true, value: outcome.value }
        : { id: items[index].id, ok: false, error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) },
    ),
  );
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
