import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProviderEvent, ProviderId } from '../../domain/provider-event';
import type { EventRecorder, RecordOutcome } from '../../ports/event-recorder';
import type { Logger } from '../../ports/logger';

export type WriterRequest =
  | { id: number; kind: 'events'; events: ProviderEvent[]; raw: Uint8Array; receivedAt: number }
  | { id: number; kind: 'notification'; provider: ProviderId; ref: string; raw: Uint8Array; receivedAt: number };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export type WriterReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * Records webhooks in the ingest writer thread (ingest-writer-thread.ts). A request resolves only after the
 * thread's transaction is on disk; if the thread dies, every request in flight is refused (the provider
 * retries) and a new thread is started.
 */
export function createThreadedRecorder(options: { databasePath: string; livemode: boolean; busyTimeoutMs: number; logger: Logger }): EventRecorder {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closing = false;
  let alive = false;
  let worker = start();

  function start(): Worker {
    // Loaded through tsx, like the rest of the relay, whether the parent runs under tsx or under jest.
    // Both paths absolute: an eval'd worker resolves modules from the process's working directory, not from here.
    const entry = path.join(__dirname, 'ingest-writer-thread.ts');
    const loader = require.resolve('tsx/cjs');
    const thread = new Worker(`require(${JSON.stringify(loader)}); require(${JSON.stringify(entry)});`, {
      eval: true,
      workerData: { databasePath: options.databasePath, livemode: options.livemode, busyTimeoutMs: options.busyTimeoutMs },
    });
    thread.on('message', (replies: WriterReply[]) => {
      for (const reply of replies) {
        const waiting = pending.get(reply.id);
        if (!waiting) continue;
        pending.delete(reply.id);
        if (reply.ok) waiting.resolve(reply.value);
        else waiting.reject(new Error(reply.error));
      }
    });
    thread.on('error', (error) => options.logger.error('ingest writer thread failed', { error: String(error) }));
    thread.on('exit', (code) => {
      alive = false;
      for (const [id, waiting] of pending) {
        waiting.reject(new Error(`ingest writer stopped (exit ${code}) before storing the event`));
        pending.delete(id);
      }
      // Restarted after a pause, so a database that cannot be opened does not spin; webhooks meanwhile get 503.
      if (!closing) setTimeout(() => (worker = start()), 1000).unref();
    });
    alive = true;
    return thread;
  }

  // Requests of one event-loop turn travel as one message: the writer commits them together anyway.
  let outgoing: WriterRequest[] = [];
  const post = (): void => {
    const batch = outgoing;
    outgoing = [];
    if (alive) worker.postMessage(batch);
    else batch.forEach((request) => pending.get(request.id)?.reject(new Error('ingest writer is restarting')));
  };
  const send = <T>(request: WithoutId<WriterRequest>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!alive) return reject(new Error('ingest writer is restarting'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      outgoing.push({ ...request, id } as WriterRequest);
      if (outgoing.length === 1) setImmediate(post);
    });

  return {
    recordEvents: (events, raw, receivedAt) => send<RecordOutcome[]>({ kind: 'events', events, raw, receivedAt }),
    recordNotification: (provider, ref, raw, receivedAt) => send<void>({ kind: 'notification', provider, ref, raw, receivedAt }),
    async close() {
      closing = true;
      if (!alive) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ kind: 'close' });
      await exited;
    },
  };
}
