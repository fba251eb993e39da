import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createThreadedRecorder } from '../../relay/src/adapters/recorder-thread/threaded-recorder';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteSessionStore } from '../../relay/src/adapters/sqlite/sqlite-session-store';
import { createWebhookIntake } from '../../relay/src/app/webhook-intake';
import type { Logger } from '../../relay/src/ports/logger';
import { SandboxProvider } from '../../relay/src/providers/sandbox/sandbox-provider';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { SqliteSandboxLedger } from '../../relay/src/providers/sandbox/sqlite-sandbox-ledger';

const SECRET = 'sandbox_secret_for_the_recorder_thread';

function capturingLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

/** The relay's webhook path with the transactions in the recorder thread: verified here, stored there. */
describe('the recorder thread (webhook transactions off the HTTP loop)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-recorder-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const intakeWith = (recorder: ReturnType<typeof createThreadedRecorder>, logger: Logger) => {
    const provider = new SandboxProvider({ ledger: new SqliteSandboxLedger(new Database(':memory:')), secret: SECRET, publicUrl: 'http://127.0.0.1', clock: { now: () => Date.now() } });
    return createWebhookIntake({ providers: new Map([['sandbox', provider]]), recorder, logger });
  };
  const paidEvent = (id: string, sessionId: string, now: number) => {
    const body = JSON.stringify({ id, type: 'payment.paid', session_id: sessionId, payment_id: `sbx_pay_${id}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(now / 1000) });
    return { raw: Buffer.from(body), headers: { 'payrelay-sandbox-signature': signSandboxEvent(SECRET, body, now) } };
  };

  it('answers like the in-process path: applied, duplicate, unknown session, bad signature, unknown provider; each stored once', async () => {
    const dbFile = path.join(dir, 'relay.db');
    const seed = openDatabase(dbFile);
    const now = Date.now();
    createSqliteSessionStore(seed).insert({
      id: 'ps_thread', merchantOrderId: '1001', orderKey: 'wc_order_1', provider: 'sandbox', providerSessionId: 'ps_thread', providerPaymentId: null,
      customerEmail: null, customerCountry: null, method: 'card', amountMinor: 1999, currency: 'EUR', status: 'created', refundedMinor: 0,
      livemode: false, checkoutUrl: null, returnUrl: null, cancelUrl: null, statusToken: 'st', createdAt: now, expiresAt: now + 3600_000, updatedAt: now,
      idempotencyKey: null, attempt: 1,
    });
    seed.close();
    const logger = capturingLogger();
    const recorder = createThreadedRecorder({ databasePath: dbFile, busyTimeoutMs: 5000, livemode: false }, logger);
    const intake = intakeWith(recorder, logger);
    const paid = paidEvent('sbx_evt_thread_1', 'ps_thread', now);
    const stranger = paidEvent('sbx_evt_thread_2', 'ps_nobody', now);

    // Several in one message to the thread, one of them twice.
    const answers = await Promise.all([
      intake.take('sandbox', Buffer.from(paid.raw), paid.headers, now),
      intake.take('sandbox', Buffer.from(paid.raw), paid.headers, now),
      intake.take('sandbox', stranger.raw, stranger.headers, now),
      intake.take('sandbox', paid.raw, { 'payrelay-sandbox-signature': 't=1,v1=bad' }, now),
      intake.take('paypal', paid.raw, {}, now),
    ]);
    await recorder.close();

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 401, 404]);
    const outcomes = answers.slice(0, 3).map((answer) => (answer.body as { results: Array<{ outcome: string; status: string | null }> }).results[0]);
    expect(outcomes.slice(0, 2).map((o) => o.outcome).sort()).toEqual(['applied', 'duplicate']);
    expect(outcomes[2].outcome).toBe('parked');
    const db = openDatabase(dbFile);
    expect(db.prepare('SELECT COUNT(*) AS n FROM webhook_events').get()).toEqual({ n: 2 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM webhook_rejections').get()).toEqual({ n: 1 });
    expect(db.prepare("SELECT status, provider_payment_id AS paymentId FROM payment_sessions WHERE id = 'ps_thread'").get()).toEqual({ status: 'paid', paymentId: 'sbx_pay_sbx_evt_thread_1' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 1 });
    db.close();
    expect(logger.lines.some((line) => line.level === 'warn' && line.message === 'webhook rejected')).toBe(true);
    expect(logger.lines.filter((line) => line.message === 'webhook stored')).toHaveLength(3);
  });

  it('a thread that cannot store anything answers 503, so the provider retries; nothing is acknowledged', async () => {
    // A directory where the database file should be: the thread fails to open it and exits.
    const logger = capturingLogger();
    const recorder = createThreadedRecorder({ databasePath: dir, busyTimeoutMs: 5000, livemode: false }, logger);
    const event = paidEvent('sbx_evt_thread_3', 'ps_nobody', Date.now());
    const answer = await intakeWith(recorder, logger).take('sandbox', event.raw, event.headers, Date.now());
    await recorder.close();
    expect(answer).toMatchObject({ status: 503, body: { error: { code: 'storage_unavailable' } } });
    expect(logger.lines.some((line) => line.level === 'error' && line.message === 'recorder thread failed')).toBe(true);
  });
});
