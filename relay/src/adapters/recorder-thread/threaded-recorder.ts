import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventRecorder } from '../../ports/event-recorder';
import type { Logger } from '../../ports/logger';
import { STORAGE_FAILED_EXIT_CODE, type FromRecorderThread, type RecordRequest, type RecorderThreadSetup, type ToRecorderThread } from './thread-messages';

/**
 * Requests per message to the thread. One message per request costs the HTTP loop about as much as the rest of
 * its work; one message per event-loop turn makes every in-flight request travel as one batch, so the HTTP loop
 * and the thread take turns idling. A few per message keeps both busy: 4 did best of 2, 4, 8 and 16 in a
 * per-thread CPU probe at 50 connections (the numbers are noisy here; 16 was about 10% slower).
 */
const MAX_PER_MESSAGE = 4;

export interface ThreadedRecorder extends EventRecorder {
  /** Why nothing can be stored any more (the disk refused a flush), or null. */
  failure(): Error | null;
  /** Answers what is in flight, then stops the thread. */
  close(): Promise<void>;
}

/**
 * The thread runs the same build as its parent: compiled JavaScript next to this file when the relay runs from
 * dist/ (plain node, `npm start`), the TypeScript source through tsx under jest or tsx. Both paths absolute: an
 * eval'd worker resolves modules from the process's working directory, not from here.
 */
function spawnThread(setup: RecorderThreadSetup): Worker {
  const compiled = path.join(__dirname, 'recorder-thread.js');
  if (__filename.endsWith('.js') && fs.existsSync(compiled)) return new Worker(compiled, { workerData: setup });
  const entry = path.join(__dirname, 'recorder-thread.ts');
  const loader = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(loader)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: setup });
}

/** Distributes Omit over the union, so each request kind keeps its own fields. */
type Unsent = RecordRequest extends infer R ? (R extends RecordRequest ? Omit<R, 'id'> : never) : never;

/**
 * An EventRecorder whose transactions run in the recorder thread (recorder-thread.ts); each call resolves with
 * the thread's answer, which comes only after the rows are on disk. If the thread dies, every call in flight
 * rejects (the webhook gets a 503 and the provider retries) and a new thread is started.
 */
export function createThreadedRecorder(setup: RecorderThreadSetup, logger: Logger): ThreadedRecorder {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closing = false;
  let alive = false;
  let restart: NodeJS.Timeout | null = null;
  let failed: Error | null = null;
  let thread = start();

  function start(): Worker {
    const worker = spawnThread(setup);
    worker.on('message', ({ replies, logs }: FromRecorderThread) => {
      for (const record of logs) logger[record.level](record.message, record.fields);
      for (const reply of replies) {
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.ok) waiter?.resolve(reply.value);
        else waiter?.reject(new Error(reply.error));
      }
    });
    worker.on('error', (error) => logger.error('recorder thread failed', { error: String(error) }));
    worker.on('exit', (code) => {
      alive = false;
      for (const [id, waiter] of pending) {
        waiter.reject(new Error(`recorder thread stopped, exit ${code}`));
        pending.delete(id);
      }
      if (code === STORAGE_FAILED_EXIT_CODE) {
        failed = new Error('the disk failed to flush the webhook database; restart the relay');
        return;
      }
      // Restarted after a pause, so a database that cannot be opened does not spin; webhooks meanwhile get 503.
      if (!closing) {
        restart = setTimeout(() => {
          if (!closing) thread = start();
        }, 1000);
        restart.unref();
      }
    });
    alive = true;
    return worker;
  }

  let outgoing: RecordRequest[] = [];
  let handedOver: ArrayBuffer[] = [];
  const post = (): void => {
    if (outgoing.length === 0) return;
    const requests = outgoing;
    const transfer = handedOver;
    outgoing = [];
    handedOver = [];
    if (alive) thread.postMessage({ kind: 'requests', requests } satisfies ToRecorderThread, transfer);
    else requests.forEach((request) => pending.get(request.id)?.reject(new Error('recorder thread is restarting')));
  };

  // A body with memory of its own moves to the thread without a copy; a slice of Node's pool is copied
  // (cloning it would carry the whole pool across).
  const carry = (raw: Buffer): Uint8Array => {
    const ownsMemory = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && raw.buffer instanceof ArrayBuffer;
    if (!ownsMemory) return new Uint8Array(raw);
    handedOver.push(raw.buffer as ArrayBuffer);
    return raw;
  };

  const send = <T>(request: Unsent): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failed) return reject(failed);
      if (!alive) return reject(new Error('recorder thread is restarting'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (outgoing.push({ ...request, id } as RecordRequest) === 1) setImmediate(post);
      else if (outgoing.length >= MAX_PER_MESSAGE) post();
    });

  return {
    recordEvents: (events, raw, receivedAt) => send({ kind: 'events', events, raw: carry(raw), receivedAt }),
    recordNotification: (provider, ref, raw, receivedAt) => send({ kind: 'notification', provider, ref, raw: carry(raw), receivedAt }),
    recordRejection: (provider, code, message, receivedAt) => send({ kind: 'rejection', provider, code, message, receivedAt }),
    failure: () => failed,
    async close() {
      closing = true;
      if (restart) clearTimeout(restart);
      post();
      if (!alive) return;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      thread.postMessage({ kind: 'close' } satisfies ToRecorderThread);
      await exited;
    },
  };
}
