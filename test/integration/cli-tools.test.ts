import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteSessionStore } from '../../relay/src/adapters/sqlite/sqlite-session-store';
import { SANDBOX_SECRET, SHOP_SECRET, startHarness, type Harness } from '../helpers/relay-harness';
import { runCli } from '../helpers/run-cli';

/**
 * inspect, replay and retry-dead as processes against the file of a relay that is running (it holds the relay
 * lock; the tools must work beside it without taking it). The relay's worker is driven by the test (drain).
 */
describe('command-line tools beside a running relay: inspect, replay, retry-dead', () => {
  let h: Harness;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness({ PAYRELAY_WORKER_MAX_ATTEMPTS: '2' });
    env = { PAYRELAY_DB: h.dbFile };
  });
  afterAll(() => h.close());

  const refuseOnce = () =>
    h.shop.faults.add({ method: 'PUT', path: /orders/, fault: { kind: 'status', status: 400, body: { code: 'woocommerce_rest_invalid_param', message: 'Invalid parameter(s): status', data: { status: 400 } } }, count: 1 });

  it('each has --help (exit 0, usage line, its options)', async () => {
    for (const [tool, option] of [['inspect', '<order id>'], ['replay', '--wait SECONDS'], ['retry-dead', '--dismiss N']] as const) {
      const run = await runCli(tool, ['--help'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: npm run ${tool} --`);
      expect(run.stdout).toContain(option);
    }
  });

  it('a wrong argument is one line and exit 2, pointing at --help', async () => {
    const run = await runCli('retry-dead', ['--id', 'seven'], env);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('--id takes a dead letter\'s number (see --list), got "seven"');
    const missing = await runCli('inspect', [], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('See: npm run inspect -- --help');
  });

  it('with nothing configured and no database: says where it looked, creates nothing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-cli-empty-'));
    for (const tool of ['inspect', 'replay', 'retry-dead'] as const) {
      const run = await runCli(tool, tool === 'retry-dead' ? [] : ['1001'], {}, { cwd: empty });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("No relay database at ./data/payrelay.db: PAYRELAY_DB is not set, and there is no such file at the relay's default path");
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(fs.readdirSync(empty)).toEqual([]);
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('inspect shows the sessions with provider references, the payment log in words, and the outbox', async () => {
    const session = h.seed({ amountMinor: 4250 });
    refuseOnce();
    await h.send(session, 'paid');
    await h.drain();
    const run = await runCli('inspect', [session.merchantOrderId], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Order ${session.merchantOrderId} (test mode, database ${h.dbFile})`);
    expect(run.stdout).toMatch(new RegExp(`${session.id}\\s+sandbox\\s+${session.providerSessionId}\\s+sbx_pay_${session.id}\\s+42.50 EUR\\s+paid`));
    expect(run.stdout).toContain('Payment log (');
    expect(run.stdout).toMatch(/webhook_received\s+/);
    expect(run.stdout).toContain('was NOT updated');
    expect(run.stdout).toContain('Outbox (0 pending, 1 dead-lettered)');
    expect(run.stdout).toMatch(new RegExp(`dead\\s+mark shop order ${session.merchantOrderId} paid\\s+1`));
    expect(run.stdout).toContain('Retry: npm run retry-dead -- --id');
  });

  it('inspect of an order the relay never saw says so (exit 1)', async () => {
    const run = await runCli('inspect', ['999999'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The relay knows nothing about order 999999');
  });

  it('retry-dead --list, then retry-dead (all): queued for the running relay, which applies it', async () => {
    const listed = await runCli('retry-dead', ['--list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/1 dead letter\(s\):/);
    expect(listed.stdout).toContain('WooCommerce rejected the request with 400');
    const orderId = /\n\s*(\d+)\s+(\d+)\s+mark shop order/.exec(listed.stdout)![2];

    const retried = await runCli('retry-dead', [], env);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('Retried 1 dead letter(s), queued again and due now:');
    expect(retried.stdout).toContain('The relay running on this database (pid');
    await h.drain();
    expect(h.shop.orders.getOrder(orderId)!.status).toBe('processing');
    expect(h.ourNotes(orderId)).toHaveLength(1);
    expect(h.relay.stores.log.listByOrder(orderId).some((e) => e.kind === 'dead_letter' && e.message.includes('retried from the command line'))).toBe(true);
    expect((await runCli('retry-dead', [], env)).stdout).toContain('No dead letters to retry.');
  });

  it('retry-dead --dismiss N keeps it out of the list; --id N of it then says why not', async () => {
    const session = h.seed();
    refuseOnce();
    await h.send(session, 'paid');
    await h.drain();
    const id = /\n\s*(\d+)\s+\d+\s+mark shop order/.exec((await runCli('retry-dead', ['--list'], env)).stdout)![1];
    const dismissed = await runCli('retry-dead', ['--dismiss', id], env);
    expect(dismissed.code).toBe(0);
    expect(dismissed.stdout).toContain(`Dismissed dead letter ${id}`);
    expect((await runCli('retry-dead', ['--list'], env)).stdout).toContain('No dead letters');
    const again = await runCli('retry-dead', ['--id', id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Dead letter ${id} was dismissed on`);
  });

  it('replay of an applied event writes nothing new to the shop (the worker finds its own note first)', async () => {
    const session = h.seed();
    const { eventId } = await h.send(session, 'paid');
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    const before = h.shop.requests.filter((r) => r.method !== 'GET').length;

    const run = await runCli('replay', [eventId, '--wait', '0'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Event ${eventId} \\(sandbox, payment.paid, received .*, order ${session.merchantOrderId}\\): shop write queued again as outbox \\d+ \\(copy of \\d+\\)`));
    await h.drain();
    expect(h.relay.stores.outbox.counts().pending).toBe(0);
    // It looked (GET order, GET notes) and found its note: no PUT, no POST.
    expect(h.shop.requests.filter((r) => r.method !== 'GET').length).toBe(before);
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).some((e) => e.kind === 'event_replayed')).toBe(true);
  });

  it('replay says plainly when there is nothing to replay, or no such event', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    const second = await h.send(session, 'paid'); // a second event, same state: ignored, no shop write
    await h.drain();
    const nothing = await runCli('replay', [second.eventId], env);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('nothing to replay: it wrote nothing to the shop when it came (outcome: ignored)');
    const unknown = await runCli('replay', ['evt_never_sent'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No stored event evt_never_sent');
  });
});

const shopEnv = (h: Harness): Record<string, string> => ({
  PAYRELAY_DB: h.dbFile,
  WC_URL: h.shop.url,
  WC_CONSUMER_KEY: h.shop.consumerKey,
  WC_CONSUMER_SECRET: h.shop.consumerSecret,
  PAYRELAY_SHOP_SECRET: SHOP_SECRET,
  PAYRELAY_SANDBOX: '1',
  SANDBOX_WEBHOOK_SECRET: SANDBOX_SECRET,
});

/** A tool run with a pseudo-terminal for its stdout (`script -qec`), the way a person runs it; what it wrote. */
function runOnTerminal(tool: string, env: Record<string, string>): Promise<string> {
  const tsx = path.join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const command = [process.execPath, '--import', `file://${tsx}`, path.join(__dirname, '..', '..', 'scripts', `${tool}.ts`)].map((part) => `'${part}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', () => resolve(out));
  });
}

describe('npm run reconcile as a process', () => {
  it('with a shop: a summary table counting the disagreement it raised, plain lines when stdout is not a terminal', async () => {
    const h = await startHarness();
    try {
      const session = h.seed();
      // Paid at the provider, but the shop write died: the shop still shows the order pending.
      h.shop.faults.add({ method: 'PUT', path: /orders/, fault: { kind: 'status', status: 400 }, count: 1 });
      await h.send(session, 'paid');
      await h.drain();
      const run = await runCli('reconcile', [], shopEnv(h));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('\r');
      expect(run.stdout).toContain('shop:      settled sessions compared: 1 checked');
      expect(run.stdout).toMatch(/\nshop\s+1\s+1\s+0\s+1 disagreements raised as alerts/);
      expect(run.stdout).toContain('The relay running on this database (pid');
      expect(h.relay.stores.alerts.listOpen(10).map((a) => a.code)).toContain('paid_not_in_shop');

      // On a terminal (util-linux `script` gives it one): the bar is drawn, then cleared for the summary line.
      if (fs.existsSync('/usr/bin/script')) {
        const tty = await runOnTerminal('reconcile', { ...shopEnv(h) });
        expect(tty).toMatch(/\rshop: {6}settled sessions compared \[\.+\] 0\/1/);
        expect(tty).toContain('\r\x1b[2Kshop:      settled sessions compared: 1 checked');
      }
    } finally {
      await h.close();
    }
  });

  it('with no shop configured: says so plainly instead of counting failed lookups', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-cli-sandbox-'));
    const dbFile = path.join(dir, 'relay.db');
    const db = openDatabase(dbFile);
    const sessions = createSqliteSessionStore(db);
    const now = Date.now();
    for (let i = 1; i <= 3; i += 1) {
      sessions.insert({
        id: `ps_sandbox_${i}`, merchantOrderId: String(100 + i), orderKey: `wc_order_${i}`, provider: 'sandbox', providerSessionId: `ps_sandbox_${i}`, providerPaymentId: null,
        customerEmail: null, customerCountry: null, method: 'card', amountMinor: 1000, currency: 'EUR', status: 'paid', refundedMinor: 0, livemode: false,
        checkoutUrl: null, returnUrl: null, cancelUrl: null, statusToken: 'st', createdAt: now, expiresAt: now + 3600_000, updatedAt: now, idempotencyKey: null, attempt: 1,
      });
    }
    db.close();
    const run = await runCli('reconcile', [], { PAYRELAY_DB: dbFile });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('shop: none configured');
    expect(run.stdout).toMatch(/\nshop\s+-\s+-\s+-\s+not compared: no shop is configured \(WC_URL is not set: sandbox mode with the demo shop\)/);
    expect(run.stdout).not.toMatch(/lookups failed/);
    expect(run.stdout).toContain('No relay is running on this database');
  });
});
