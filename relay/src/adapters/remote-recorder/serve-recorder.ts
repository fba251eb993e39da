import type { EventRecorder } from '../../ports/event-recorder';
import type { ForwardedLog, FromRecorder, RecordReply, RecordRequest, ToRecorder } from './recorder-messages';

/** The recorder's end of the channel to the HTTP loop (a thread's parentPort, a child process's IPC). */
export interface RecorderEnd {
  send(message: FromRecorder): void;
  onMessage(listener: (message: ToRecorder) => void): void;
  /** Called once what was in flight at a close has been answered. */
  shutDown(): void;
}

export interface RecorderServer {
  /** A log record for the relay's logger; it travels with the next replies. */
  log(record: ForwardedLog): void;
  /** Sends what is ready now (before the recorder exits on a storage failure). */
  flush(): void;
}

const bytes = (raw: Uint8Array): Buffer => Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);

function record(recorder: EventRecorder, request: RecordRequest): Promise<unknown> {
  switch (request.kind) {
    case 'events':
      return recorder.recordEvents(request.events, bytes(request.raw), request.receivedAt);
    case 'notification':
      return recorder.recordNotification(request.provider, request.ref, bytes(request.raw), request.receivedAt);
    case 'rejection':
      return recorder.recordRejection(request.provider, request.code, request.message, request.receivedAt);
  }
}

/**
 * Runs the requests that arrive on `end` through `recorder` (whose unit of work group-commits what arrives
 * together) and sends each answer back once its transaction is durable; the replies of one commit travel as one
 * message. Shared by the recorder thread (SQLite) and the recorder process (PostgreSQL).
 */
export function serveRecorder(end: RecorderEnd, recorder: EventRecorder): RecorderServer {
  let replies: RecordReply[] = [];
  let logs: ForwardedLog[] = [];
  let inFlight = 0;
  let closing = false;
  const flush = (): void => {
    const message: FromRecorder = { replies, logs };
    replies = [];
    logs = [];
    end.send(message);
    if (closing && inFlight === 0) end.shutDown();
  };
  end.onMessage((message) => {
    if (message.kind === 'close') {
      closing = true;
      // Replies still waiting for flush go out first; it shuts down after them.
      if (inFlight === 0 && replies.length === 0) end.shutDown();
      return;
    }
    for (const request of message.requests) {
      inFlight += 1;
      record(recorder, request)
        .then(
          (value): RecordReply => ({ id: request.id, ok: true, value }),
          (error: unknown): RecordReply => ({ id: request.id, ok: false, error: String(error) }),
        )
        .then((reply) => {
          inFlight -= 1;
          if (replies.push(reply) === 1) setImmediate(flush);
        });
    }
  });
  return { log: (entry) => void logs.push(entry), flush };
}
