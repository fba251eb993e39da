import type { EventRecorder } from '../../ports/event-recorder';
import type { Logger } from '../../ports/logger';
import { STORAGE_FAILED_EXIT_CODE, type FromRecorder, type RecordRequest, type ToRecorder } from './recorder-messages';

/**
 * Requests per message to the recorder. One message per request costs the HTTP loop about as much as the rest
 * of its work; one message per event-loop turn makes every in-flight request travel as one batch, so the HTTP
 * loop and the recorder take turns idling. A few per message keeps both busy: 4 did best of 2, 4, 8 and 16 in a
 * per-thread CPU probe at 50 connections (the numbers are noisy here; 16 was about 10% slower).
 */
const MAX_PER_MESSAGE = 4;

/**
 * Requests the recorder has not answered yet, at most. A recorder that falls behind (a stalled disk, a database
 * connection hanging on a dead network) would otherwise collect every webhook that arrives, and the bodies waiting
 * for it, until memory ran out; beyond this the next one is refused at once (503: the provider keeps it and
 * retries later, so nothing is lost), which also tells providers to back off. Far above what one relay has in
 * flight when it keeps up (the benchmark's 50 connections).
 */
export const MAX_IN_FLIGHT = 1000;

/** The HTTP loop's end of a recorder that runs elsewhere: a worker thread or a child process, started anew on each call. */
export interface RecorderChannel {
  /** `transfer`: bodies a thread may take without a copy (a process is sent a copy of everything anyway). */
  post(message: ToRecorder, transfer: ArrayBuffer[]): void;
  onMessage(listener: (message: FromRecorder) => void): void;
  onError(listener: (error: Error) => void): void;
  onExit(listener: (code: number | null) => void): void;
}

export interface RemoteRecorder extends EventRecorder {
  /** Why nothing can be stored any more (the disk refused a flush), or null. */
  failure(): Error | null;
  /** Answers what is in flight, then stops the recorder. */
  close(): Promise<void>;
}

/** Distributes Omit over the union, so each request kind keeps its own fields. */
type Unsent = RecordRequest extends infer R ? (R extends RecordRequest ? Omit<R, 'id'> : never) : never;

/**
 * An EventRecorder whose transactions run in another thread or process (`start` launches it); each call resolves
 * with the recorder's answer, which comes only after the rows are durable. If the recorder dies, every call in
 * flight rejects (the webhook gets a 503 and the provider retries) and a new one is started. `name` is what the
 * log calls it ("recorder thread", "recorder process").
 */
export function createRemoteRecorder(name: string, start: () => RecorderChannel, logger: Logger): RemoteRecorder {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closing = false;
  let alive = false;
  let restart: NodeJS.Timeout | null = null;
  let failed: Error | null = null;
  let exited: Promise<void> = Promise.resolve();
  let channel = launch();

  function launch(): RecorderChannel {
    const launched = start();
    launched.onMessage(({ replies, logs }) => {
      for (const record of logs) logger[record.level](record.message, record.fields);
      for (const reply of replies) {
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.ok) waiter?.resolve(reply.value);
        else waiter?.reject(new Error(reply.error));
      }
    });
    launched.onError((error) => logger.error(`${name} failed`, { error: String(error) }));
    exited = new Promise<void>((resolve) =>
      launched.onExit((code) => {
        alive = false;
        for (const [id, waiter] of pending) {
          waiter.reject(new Error(`${name} stopped, exit ${code}`));
          pending.delete(id);
        }
        resolve();
        if (code === STORAGE_FAILED_EXIT_CODE) {
          failed = new Error('the disk failed to flush the webhook database; restart the relay');
          return;
        }
        // Restarted after a pause, so a database that cannot be opened does not spin; webhooks meanwhile get 503.
        if (!closing) {
          restart = setTimeout(() => {
            if (!closing) channel = launch();
          }, 1000);
          restart.unref();
        }
      }),
    );
    alive = true;
    return launched;
  }

  let outgoing: RecordRequest[] = [];
  let handedOver: ArrayBuffer[] = [];
  const post = (): void => {
    if (outgoing.length === 0) return;
    const requests = outgoing;
    const transfer = handedOver;
    outgoing = [];
    handedOver = [];
    if (alive) channel.post({ kind: 'requests', requests }, transfer);
    else requests.forEach((request) => pending.get(request.id)?.reject(new Error(`${name} is restarting`)));
  };

  // A body with memory of its own moves to a thread without a copy; a slice of Node's pool is copied
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
      if (!alive) return reject(new Error(`${name} is restarting`));
      if (pending.size >= MAX_IN_FLIGHT) return reject(new Error(`too many webhooks waiting for the ${name} (${MAX_IN_FLIGHT})`));
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
      channel.post({ kind: 'close' }, []);
      await exited;
    },
  };
}
