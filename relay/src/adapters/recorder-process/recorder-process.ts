/**
 * The recorder process: turns verified webhooks into durable rows on its own PostgreSQL connection. The relay's
 * HTTP loop reads, verifies and parses them and writes the answers; the transactions run here, on the other
 * core. Requests that arrive while a COMMIT runs are committed together next (postgres-unit-of-work.ts: one
 * transaction for the batch, no savepoints: an event that fails rolls the batch back and the others are committed
 * again without it), and each is answered once that COMMIT has returned, which with synchronous_commit=on is
 * after the server flushed its WAL.
 *
 * A process, not a thread like SQLite's recorder: pg-native's addon (libpq) is not context-aware (a second
 * thread of a process that loaded it gets "Module did not self-register"), and it registers its socket with
 * uv_default_loop(), the main thread's loop, from whichever thread connects: a data race on that loop.
 */
import { openPostgres } from '../postgres/open-postgres';
import { createPostgresStores } from '../postgres/postgres-stores';
import { createInProcessRecorder } from '../../app/in-process-recorder';
import type { EventRecorder } from '../../ports/event-recorder';
import { CONNECTION_LOST_EXIT_CODE, type FromRecorder, type ToRecorder } from '../remote-recorder/recorder-messages';
import { serveRecorder } from '../remote-recorder/serve-recorder';
import type { RecorderProcessSetup } from './process-recorder';

// The relay is gone (killed, or exited without closing): what is not committed is rolled back by the server,
// and none of it was acknowledged.
process.on('disconnect', () => process.exit(0));

process.once('message', (setup: RecorderProcessSetup) => {
  const db = openPostgres(setup.databaseUrl, { lockTimeoutMs: setup.lockTimeoutMs, schema: setup.schema ?? undefined });
  // Which relay's recorder this connection is, for whoever reads pg_stat_activity.
  db.exec(`SET application_name = 'payrelay recorder (relay pid ${process.ppid})'`);
  const stores = createPostgresStores(db);
  let lastSent = Promise.resolve();
  const recorder = createInProcessRecorder(stores, stores.unitOfWork, setup.livemode);
  // A request that failed because the connection is gone: answered (503), then this process exits to be started
  // again on a new connection. What the lost connection had not committed the server rolled back; none of it was
  // acknowledged.
  let leaving = false;
  const leaveIfDisconnected = (error: unknown): never => {
    if (!leaving && db.connectionLost()) {
      leaving = true;
      server.log({ level: 'error', message: 'the recorder process lost its database connection; starting it again on a new one', fields: { error: String(error) } });
      setImmediate(() => {
        server.flush();
        void lastSent.then(() => process.exit(CONNECTION_LOST_EXIT_CODE));
      });
    }
    throw error;
  };
  const reconnecting: EventRecorder = {
    recordEvents: (...args) => recorder.recordEvents(...args).catch(leaveIfDisconnected),
    recordNotification: (...args) => recorder.recordNotification(...args).catch(leaveIfDisconnected),
    recordRejection: (...args) => recorder.recordRejection(...args).catch(leaveIfDisconnected),
  };
  const server = serveRecorder(
    {
      send: (message: FromRecorder) => {
        lastSent = new Promise((resolve) => process.send!(message, () => resolve()));
      },
      onMessage: (listener) => void process.on('message', (message: ToRecorder) => listener(message)),
      // The last replies leave before the channel closes.
      shutDown: () =>
        void lastSent.then(() => {
          db.close();
          process.disconnect();
        }),
    },
    reconnecting,
  );
});
