/**
 * The ingest thread: verifies webhooks and turns them into durable rows on its own SQLite connection. The HTTP
 * event loop only reads bodies and writes answers; signature checks, parsing and the transaction run here, on the
 * other core. Requests that arrive together are committed together (group commit), and answered once
 * an fdatasync of the WAL, run on libuv's pool while the next batch is built, has returned (wal-fsync.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createInProcessRecorder } from '../../app/in-process-recorder';
import { ingestWebhook, notStored, type IngestDeps, type IngestResult } from '../../app/ingest-webhook';
import { systemClock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import { buildProviders } from '../../providers/provider-registry';
import { SqliteSandboxLedger } from '../../providers/sandbox/sqlite-sandbox-ledger';
import { openDatabase } from '../sqlite/open-database';
import { createSqliteStores } from '../sqlite/sqlite-stores';
import { createWalFsync } from '../sqlite/wal-fsync';
import type { ForwardedLog, IngestThreadSetup, IntakeReplies, LogLevel, ToIngestThread } from './thread-messages';

const { config, publicUrl } = workerData as IngestThreadSetup;
const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
let logs: ForwardedLog[] = [];
const forward = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
  if (LEVELS[level] <= LEVELS[config.logLevel]) logs.push({ level, message, fields });
};
const logger: Logger = { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug') };

const db = openDatabase(config.databasePath, { busyTimeoutMs: config.databaseBusyTimeoutMs });
const walFsync = createWalFsync(db, (error) => {
  logger.error('the disk failed to flush the webhook database (fdatasync); restarting the ingest thread', { error: String(error) });
  // The failed batch's 503s and this log go out first; then a fresh thread opens a fresh connection.
  setImmediate(() => {
    sendReplies();
    process.exit(1);
  });
});
process.on('exit', () => walFsync.close());
const stores = createSqliteStores(db, walFsync);
const deps: IngestDeps = {
  providers: buildProviders(config, { clock: systemClock, sandboxLedger: new SqliteSandboxLedger(db), logger, publicUrl: () => publicUrl, mollieWebhookSecrets: config.mollie?.webhookSecrets ?? [] }),
  recorder: createInProcessRecorder(stores, stores.unitOfWork, config.mode === 'live'),
  logger,
};

let answers: IntakeReplies['answers'] = [];
let inFlight = 0;
let closing = false;
const sendReplies = (): void => {
  const replies: IntakeReplies = { answers, logs };
  answers = [];
  logs = [];
  parentPort!.postMessage(replies);
  if (closing && inFlight === 0) shutDown();
};
const shutDown = (): void => {
  db.close();
  parentPort!.close();
};

parentPort!.on('message', (message: ToIngestThread) => {
  if (message.kind === 'close') {
    closing = true;
    // Answers still waiting for sendReplies go out first; it shuts down after them.
    if (inFlight === 0 && answers.length === 0) shutDown();
    return;
  }
  for (const request of message.requests) {
    inFlight += 1;
    void ingestWebhook(deps, request.provider, Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength), request.headers, request.receivedAt)
      .catch((bug: unknown): IngestResult => {
        logger.error('webhook ingest failed', { provider: request.provider, error: String(bug) });
        return notStored('internal error');
      })
      .then((result) => {
        inFlight -= 1;
        // Answers of one commit travel back as one message.
        if (answers.push({ id: request.id, result }) === 1) setImmediate(sendReplies);
      });
  }
});
