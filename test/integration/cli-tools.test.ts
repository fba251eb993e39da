import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectPg } from '../../relay/src/adapters/postgres/pg-database';
import { createPostgresFleet, FLEET_HEARTBEAT_MS, tryLeaderLock } from '../../relay/src/adapters/postgres/postgres-fleet';
import { redactDatabaseUrl } from '../../relay/src/adapters/postgres/postgres-storage';
import { SANDBOX_SECRET, SHOP_SECRET, startHarness, type Harness } from '../helpers/relay-harness';
import { runCli } from '../helpers/run-cli';
import { sendSandboxWebhook, startShopsRelay, type ShopsRelay } from '../helpers/shops-relay';
import { createTestSchema, createToolTestStore, TEST_POSTGRES_URL, TEST_STORE } from '../helpers/test-store';

/** What points a tool at the harness relay's store: its SQLite file, or (PAYRELAY_TEST_STORE=postgres) its schema. */
const storeEnv = (h: Harness): Record<string, string> => ({ PAYRELAY_DB: h.dbFile, ...(h.databaseUrl ? { PAYRELAY_DATABASE_URL: h.databaseUrl } : {}) });

/** How the tools name that store in what they print. */
const whereOf = (h: Harness): string => (h.relay.pg ? `${redactDatabaseUrl(h.databaseUrl!)} (schema ${h.relay.pg.schema})` : h.dbFile);

/**
 * On PostgreSQL a relay is running when its heartbeat is fresh (relay_heartbeats). The harness relay runs no
 * timers of its own (the test drives its worker), so it beats here as a fleet relay does; stop() leaves the fleet.
 * On SQLite the harness relay holds the file's relay lock, which says the same.
 */
function beatLikeARelay(h: Harness): () => void {
  if (!h.relay.pg) return () => undefined;
  const fleet = createPostgresFleet(h.relay.pg, `harness-${process.pid}`);
  fleet.recordHeartbeat(Date.now());
  const timer = setInterval(() => fleet.recordHeartbeat(Date.now()), FLEET_HEARTBEAT_MS);
  return () => {
    clearInterval(timer);
    fleet.leave();
  };
}

/**
 * inspect, replay and retry-dead as processes against the store of a relay that is running: its SQLite file (it
 * holds the relay lock; the tools must work beside it without taking it), or under PAYRELAY_TEST_STORE=postgres its
 * schema, as a fleet runs. The relay's worker is driven by the test (drain).
 */
describe(`command-line tools beside a running relay (${TEST_STORE}): inspect, replay, retry-dead`, () => {
  let h: Harness;
  let env: Record<string, string>;
  let stopBeating: () => void;
  beforeAll(async () => {
    h = await startHarness({ PAYRELAY_WORKER_MAX_ATTEMPTS: '2' });
    env = storeEnv(h);
    stopBeating = beatLikeARelay(h);
  });
  afterAll(async () => {
    stopBeating();
    await h.close();
  });

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

  (TEST_STORE === 'sqlite' ? it : it.skip)('SQLite: with nothing configured and no database: says where it looked, creates nothing', async () => {
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

  (TEST_STORE === 'postgres' ? it : it.skip)('PostgreSQL: a schema without the relay\'s tables, or no server, is said in one line; nothing is created', async () => {
    const empty = createTestSchema();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-cli-empty-'));
    try {
      for (const tool of ['inspect', 'replay', 'retry-dead', 'prune', 'reconcile'] as const) {
        const run = await runCli(tool, tool === 'inspect' || tool === 'replay' ? ['1001'] : [], { PAYRELAY_DATABASE_URL: empty.url }, { cwd });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`(schema ${empty.name}) has no relay tables yet: start a relay once with this PAYRELAY_DATABASE_URL`);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
      const admin = connectPg(TEST_POSTGRES_URL);
      expect(admin.get('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = $1', [empty.name])).toEqual({ n: 0 });
      admin.close();
      // No SQLite file at the default path either: the URL chose the store.
      expect(fs.readdirSync(cwd)).toEqual([]);
      const nowhere = await runCli('inspect', ['1001'], { PAYRELAY_DATABASE_URL: 'postgres://payrelay:hunter2secret@127.0.0.1:1/none' });
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toContain("Cannot connect to the relay's PostgreSQL database postgres://payrelay:***@127.0.0.1:1/none (PAYRELAY_DATABASE_URL):");
      expect(nowhere.stderr).not.toContain('hunter2secret');
    } finally {
      empty.drop();
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('inspect shows the sessions with provider references, the payment log in words, and the outbox', async () => {
    const session = h.seed({ amountMinor: 4250 });
    refuseOnce();
    await h.send(session, 'paid');
    await h.drain();
    const run = await runCli('inspect', [session.merchantOrderId], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Order ${session.merchantOrderId} (test mode, database ${whereOf(h)})`);
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

  it('retry-dead --id N from two terminals at once: retried once, one log entry, one write to the shop', async () => {
    const session = h.seed();
    refuseOnce();
    await h.send(session, 'paid');
    await h.drain();
    const id = /\n\s*(\d+)\s+\d+\s+mark shop order/.exec((await runCli('retry-dead', ['--list'], env)).stdout)![1];
    const runs = await Promise.all([runCli('retry-dead', ['--id', id], env), runCli('retry-dead', ['--id', id], env)]);
    expect(runs.map((run) => run.code).sort()).toEqual([0, 1]);
    expect(runs.find((run) => run.code === 1)!.stderr).toMatch(new RegExp(`Outbox command ${id} is not a dead letter|Dead letter ${id} changed meanwhile`));
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).filter((e) => e.kind === 'dead_letter' && e.message.includes('retried from the command line'))).toHaveLength(1);
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

  it('one event replayed from two terminals at once: one set of copies queued, the other told it is queued', async () => {
    const session = h.seed();
    const { eventId } = await h.send(session, 'paid');
    await h.drain();
    const runs = await Promise.all([runCli('replay', [eventId, '--wait', '0'], env), runCli('replay', [eventId, '--wait', '0'], env)]);
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    expect(runs.filter((run) => run.stdout.includes('shop write queued again as outbox'))).toHaveLength(1);
    expect(runs.filter((run) => run.stdout.includes('its shop write is still queued'))).toHaveLength(1);
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).filter((e) => e.kind === 'event_replayed')).toHaveLength(1);
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
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

  (TEST_STORE === 'postgres' ? it : it.skip)('PostgreSQL: backup copies nothing and prints the pg_dump command for the schema (exit 1), a command that works', async () => {
    const file = path.join(os.tmpdir(), `payrelay-cli-${process.pid}.dump`);
    const run = await runCli('backup', [file], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('PAYRELAY_DATABASE_URL is set: the relay keeps its data in PostgreSQL, and this tool copies SQLite files only. Nothing was copied.');
    const schema = h.relay.pg!.schema;
    const command = new RegExp(`\\n  (pg_dump --format=custom --schema='${schema}' --schema='${schema}_shop_\\*' --file='${file}' '[^']+')\\n`).exec(run.stderr);
    expect(command).not.toBeNull();
    expect(run.stderr).toContain('To restore: stop the relays, then: pg_restore --clean --if-exists');
    if (fs.existsSync('/usr/bin/pg_dump')) {
      const dumped = await new Promise<number | null>((resolve) => spawn('/bin/sh', ['-c', command![1]], { stdio: 'ignore' }).once('close', resolve));
      expect(dumped).toBe(0);
      expect(fs.statSync(file).size).toBeGreaterThan(0);
      fs.rmSync(file, { force: true });
    }
  });
});

describe(`--shop ID: a registered shop's own store (${TEST_STORE === 'postgres' ? 'its schema <main>_shop_<id>' : 'its file data/shops/<id>.db'})`, () => {
  let relay: ShopsRelay;
  beforeAll(async () => {
    relay = await startShopsRelay([{ id: 'alpha' }]);
  });
  afterAll(() => relay.close());

  it("inspect, replay and reconcile work on that shop's store and settings; an unknown shop is named with the registered ones", async () => {
    const alpha = relay.shop('alpha');
    const drainAlpha = async () => {
      while ((await alpha.relay.worker.runOnce()) > 0);
    };
    const session = alpha.seed();
    expect((await sendSandboxWebhook(relay.url, '/webhooks/alpha/sandbox', alpha.sandboxSecret, session, 'paid', Date.now(), 'evt_alpha_paid')).status).toBe(200);
    await drainAlpha();
    const env = relay.relayEnv;
    const alphaStore = alpha.relay.pg ? `(schema ${alpha.relay.pg.schema})` : path.join(relay.dir, 'shops', 'alpha.db');

    const inspect = await runCli('inspect', [session.merchantOrderId, '--shop', 'alpha'], env);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain(alphaStore);
    expect(inspect.stdout).toMatch(new RegExp(`${session.id}\\s+sandbox\\s+.*paid`));
    // The environment shop's store has never heard of it.
    expect((await runCli('inspect', [session.merchantOrderId], env)).stderr).toContain(`The relay knows nothing about order ${session.merchantOrderId}`);

    const replay = await runCli('replay', ['evt_alpha_paid', '--shop', 'alpha', '--wait', '0'], env);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('shop write queued again as outbox');
    expect(alpha.sql.get("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")).toEqual({ n: 1 });
    await drainAlpha();
    expect(alpha.woo.orders.notes(session.merchantOrderId).filter((n) => n.note.includes('[Payrelay ref'))).toHaveLength(1);

    const reconcile = await runCli('reconcile', ['--shop', 'alpha'], env);
    expect(reconcile.code).toBe(0);
    expect(reconcile.stdout).toContain(`shop: ${alpha.woo.url})`);
    expect(reconcile.stdout).toContain(alphaStore);

    const unknown = await runCli('retry-dead', ['--list', '--shop', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('No shop "nope" is registered on this relay (registered: alpha; npm run shops:list).');
  });
});

const shopEnv = (h: Harness): Record<string, string> => ({
  ...storeEnv(h),
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

describe(`npm run reconcile as a process (${TEST_STORE})`, () => {
  it('with a shop: a summary table counting the disagreement it raised, plain lines when stdout is not a terminal', async () => {
    const h = await startHarness();
    const stopBeating = beatLikeARelay(h);
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
      stopBeating();
      await h.close();
    }
  });

  it("beside the relay's own pass (on PostgreSQL, while a relay leads the fleet): a disagreement is raised once, one note in the shop", async () => {
    const h = await startHarness();
    // The fleet's leader holds the schedules' lock on its own connection for as long as it lives.
    const leader = h.databaseUrl ? connectPg(h.databaseUrl) : null;
    try {
      if (leader) expect(tryLeaderLock(leader)).toBe(true);
      const session = h.seed();
      const overdue = h.seed({ expiresAt: h.clock.now() - 60_000 });
      h.shop.faults.add({ method: 'PUT', path: /orders/, fault: { kind: 'status', status: 400 }, count: 1 });
      await h.send(session, 'paid');
      await h.drain();
      const run = await runCli('reconcile', [], shopEnv(h));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/\nshop\s+1\s+1\s+0\s+1 disagreements raised as alerts/);
      if (leader) {
        expect(run.stdout).toContain("A relay of the fleet leads this schema (it holds the schedules' lock");
        expect(run.stdout).toMatch(/\nexpiry\s+-\s+-\s+-\s+left to the fleet's leader, which runs it/);
        // The expiry sweep is the leader's: the tool did not expire the overdue session.
        expect(h.relay.stores.sessions.get(overdue.id)!.status).toBe('created');
      }
      // The relay's (the leader's) own pass finds the same disagreement: already told, nothing more.
      await h.relay.runReconcile();
      expect(h.relay.stores.alerts.listOpen(10).filter((a) => a.code === 'paid_not_in_shop')).toHaveLength(1);
      await h.drain();
      expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
      expect(h.ourNotes(session.merchantOrderId).filter((note) => note.includes('Payrelay reconciliation'))).toHaveLength(1);
    } finally {
      leader?.close();
      await h.close();
    }
  });

  it('with no shop configured: says so plainly instead of counting failed lookups', async () => {
    const store = createToolTestStore();
    const { sessions } = store.stores;
    const now = Date.now();
    for (let i = 1; i <= 3; i += 1) {
      sessions.insert({
        id: `ps_sandbox_${i}`, merchantOrderId: String(100 + i), orderKey: `wc_order_${i}`, provider: 'sandbox', providerSessionId: `ps_sandbox_${i}`, providerPaymentId: null,
        customerEmail: null, customerCountry: null, method: 'card', amountMinor: 1000, currency: 'EUR', status: 'paid', refundedMinor: 0, livemode: false,
        checkoutUrl: null, returnUrl: null, cancelUrl: null, statusToken: 'st', createdAt: now, expiresAt: now + 3600_000, updatedAt: now, idempotencyKey: null, attempt: 1,
      });
    }
    const run = await runCli('reconcile', [], store.env);
    store.close();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('shop: none configured');
    expect(run.stdout).toMatch(/\nshop\s+-\s+-\s+-\s+not compared: no shop is configured \(WC_URL is not set: sandbox mode with the demo shop\)/);
    expect(run.stdout).not.toMatch(/lookups failed/);
    expect(run.stdout).toContain('No relay is running on this database');
  });
});
