import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createThreadedIntake } from '../../relay/src/adapters/ingest-thread/threaded-intake';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { loadConfig } from '../../relay/src/config/load-config';
import type { Logger } from '../../relay/src/ports/logger';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';

const SECRET = 'sandbox_secret_for_the_ingest_thread';

function capturingLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

function configFor(databasePath: string) {
  return loadConfig({ PAYRELAY_DB: databasePath, PAYRELAY_SANDBOX: '1', SANDBOX_WEBHOOK_SECRET: SECRET, PAYRELAY_LOG_LEVEL: 'info', PAYRELAY_PORT: '0' });
}

describe('the ingest thread (webhooks verified and stored off the HTTP loop)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-ingest-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers like the in-process path, stores durably, and sends its log records back to the relay logger', async () => {
    const dbFile = path.join(dir, 'relay.db');
    openDatabase(dbFile).close();
    const logger = capturingLogger();
    const intake = createThreadedIntake({ config: configFor(dbFile), publicUrl: 'http://127.0.0.1' }, logger);
    const now = Date.now();
    const body = JSON.stringify({ id: 'sbx_evt_thread_1', type: 'payment.paid', session_id: 'ps_nobody', payment_id: 'sbx_pay_1', amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(now / 1000) });
    const signature = signSandboxEvent(SECRET, body, now);

    // Several in one message, one of them twice: one row, one duplicate.
    const answers = await Promise.all([
      intake.take('sandbox', Buffer.from(body), { 'payrelay-sandbox-signature': signature }, now),
      intake.take('sandbox', Buffer.from(body), { 'payrelay-sandbox-signature': signature }, now),
      intake.take('sandbox', Buffer.from(body), { 'payrelay-sandbox-signature': 'v1,t=1,sig=bad' }, now),
      intake.take('paypal', Buffer.from(body), {}, now),
    ]);
    await intake.close();

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 401, 404]);
    const outcomes = answers.slice(0, 2).map((answer) => (answer.body as { results: Array<{ outcome: string }> }).results[0].outcome).sort();
    expect(outcomes).toEqual(['duplicate', 'unknown_session']);
    const db = openDatabase(dbFile);
    expect(db.prepare('SELECT COUNT(*) AS n FROM webhook_events').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM webhook_rejections').get()).toEqual({ n: 1 });
    db.close();
    expect(logger.lines.some((line) => line.level === 'warn' && line.message === 'webhook rejected')).toBe(true);
    expect(logger.lines.filter((line) => line.message === 'webhook stored')).toHaveLength(2);
  });

  it('a thread that cannot store anything answers 503, so the provider retries; nothing is acknowledged', async () => {
    // A directory where the database file should be: the thread fails to open it and exits.
    const logger = capturingLogger();
    const intake = createThreadedIntake({ config: configFor(dir), publicUrl: 'http://127.0.0.1' }, logger);
    const answer = await intake.take('sandbox', Buffer.from('{}'), {}, Date.now());
    await intake.close();
    expect(answer).toMatchObject({ status: 503, body: { error: { code: 'storage_unavailable' } } });
    expect(logger.lines.some((line) => line.level === 'error' && line.message === 'ingest thread failed')).toBe(true);
  });
});
