import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { notStored, type IngestResult } from '../../app/ingest-webhook';
import type { WebhookIntake } from '../../app/webhook-intake';
import type { Logger } from '../../ports/logger';
import type { IngestThreadSetup, IntakeReplies, IntakeRequest, ToIngestThread } from './thread-messages';

/**
 * Requests per message to the thread. One message per request costs the HTTP loop about as much as the rest of
 * its work; one message per event-loop turn makes every in-flight request travel as one batch, so the HTTP loop
 * and the thread take turns idling. A few per message keeps both busy: 4 did best of 2, 4, 8 and 16 in a
 * per-thread CPU probe at 50 connections (the numbers are noisy here; 16 was about 10% slower).
 */
const MAX_PER_MESSAGE = 4;

/**
 * Hands webhooks to the ingest thread (ingest-thread.ts) and resolves with its answer, which comes only after the
 * event is on disk. If the thread dies, every request in flight gets a 503 (the provider retries) and a new
 * thread is started.
 */
export function createThreadedIntake(setup: IngestThreadSetup, logger: Logger): WebhookIntake {
  const pending = new Map<number, (result: IngestResult) => void>();
  let nextId = 1;
  let closing = false;
  let alive = false;
  let restart: NodeJS.Timeout | null = null;
  let thread = start();

  function start(): Worker {
    // Loaded through tsx, like the rest of the relay, whether the parent runs under tsx or under jest.
    // Both paths absolute: an eval'd worker resolves modules from the process's working directory, not from here.
    const entry = path.join(__dirname, 'ingest-thread.ts');
    const loader = require.resolve('tsx/cjs');
    const worker = new Worker(`require(${JSON.stringify(loader)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: setup });
    worker.on('message', (replies: IntakeReplies) => {
      for (const record of replies.logs) logger[record.level](record.message, record.fields);
      for (const { id, result } of replies.answers) {
        pending.get(id)?.(result);
        pending.delete(id);
      }
    });
    worker.on('error', (error) => logger.error('ingest thread failed', { error: String(error) }));
    worker.on('exit', (code) => {
      alive = false;
      for (const [id, answer] of pending) {
        answer(notStored(`ingest thread stopped, exit ${code}`));
        pending.delete(id);
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

  let outgoing: IntakeRequest[] = [];
  let handedOver: ArrayBuffer[] = [];
  const post = (): void => {
    if (outgoing.length === 0) return;
    const requests = outgoing;
    const transfer = handedOver;
    outgoing = [];
    handedOver = [];
    if (alive) thread.postMessage({ kind: 'requests', requests } satisfies ToIngestThread, transfer);
    else requests.forEach((request) => pending.get(request.id)?.(notStored('ingest thread is restarting')));
  };

  return {
    take: (provider, raw, headers, receivedAt) =>
      new Promise<IngestResult>((resolve) => {
        if (!alive) return resolve(notStored('ingest thread is restarting'));
        const id = nextId++;
        pending.set(id, resolve);
        // A body with memory of its own moves to the thread without a copy; a slice of Node's pool is copied
        // (cloning it would carry the whole pool across).
        const ownsMemory = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && raw.buffer instanceof ArrayBuffer;
        const body = ownsMemory ? raw : new Uint8Array(raw);
        if (ownsMemory) handedOver.push(raw.buffer as ArrayBuffer);
        if (outgoing.push({ id, provider, raw: body, headers, receivedAt }) === 1) setImmediate(post);
        else if (outgoing.length >= MAX_PER_MESSAGE) post();
      }),
    async close() {
      closing = true;
      if (restart) clearTimeout(restart);
      post();
      if (!alive) return;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      thread.postMessage({ kind: 'close' } satisfies ToIngestThread);
      await exited;
    },
  };
}
