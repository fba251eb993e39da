import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteSessionStore } from '../../relay/src/adapters/sqlite/sqlite-session-store';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { aSession } from '../helpers/builders';
import { freePort, startRelayProcess as spawnRelay } from '../helpers/relay-process';
import { startWooCommerceStandIn, type WooCommerceStandIn } from '../helpers/woocommerce-stand-in';

async function startRelayProcess(env: Record<string, string>): Promise<ChildProcess> {
  const relay = spawnRelay(env, { inherit: true });
  await relay.listening;
  return relay.child;
}

const SECRET = 'sandbox_crash_test_secret_0123';
const EVENTS = 80;

/** The relay process's environment: a real SQLite file, the stand-in shop, a fast worker. */
function relayEnv(port: number, dbFile: string, shop: WooCommerceStandIn, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PAYRELAY_PORT: String(port),
    PAYRELAY_HOST: '127.0.0.1',
    PAYRELAY_DB: dbFile,
    WC_URL: shop.url,
    WC_CONSUMER_KEY: shop.consumerKey,
    WC_CONSUMER_SECRET: shop.consumerSecret,
    PAYRELAY_SHOP_SECRET: 'crash_test_shop_secret_0123456789',
    PAYRELAY_SANDBOX: '1',
    SANDBOX_WEBHOOK_SECRET: SECRET,
    PAYRELAY_WORKER_POLL_MS: '20',
    PAYRELAY_WORKER_BASE_DELAY_MS: '50',
    PAYRELAY_LOG_LEVEL: 'error',
    ...extra,
  };
}

/** A signed sandbox webhook; resolves with the status, or 0 when the connection died with the relay. */
const deliver = (port: number, body: string): Promise<number> =>
  fetch(`http://127.0.0.1:${port}/webhooks/sandbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(SECRET, body, Date.now()) },
    body,
  }).then((r) => r.status, () => 0);

const exited = (child: ChildProcess): Promise<unknown> =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode ? resolve(null) : child.once('exit', resolve)));

/** Polls /healthz until nothing is pending: a repeated write would land after the first note, so not that. */
async function outboxOnceDrained(port: number, deadline: number): Promise<{ pending: number; dead: number }> {
  const outbox = async () => ((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { outbox: { pending: number; dead: number } }).outbox;
  let counts = await outbox();
  while (counts.pending > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    counts = await outbox();
  }
  return counts;
}

describe('relay killed with SIGKILL in the middle of a burst, then restarted', () => {
  let shop: WooCommerceStandIn;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    shop = await startWooCommerceStandIn();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-crash-'));
  });
  afterAll(async () => {
    children.forEach((child) => child.kill('SIGKILL'));
    await shop.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies every acknowledged event exactly once', async () => {
    const dbFile = path.join(dir, 'relay.db');
    const db = openDatabase(dbFile);
    const sessions = createSqliteSessionStore(db);
    const seeded = Array.from({ length: EVENTS }, (_, i) => {
      const orderId = shop.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' });
      const session = aSession({ id: `ps_crash_${i}`, merchantOrderId: orderId, provider: 'sandbox', providerSessionId: `ps_crash_${i}`, createdAt: Date.now(), expiresAt: Date.now() + 3600_000 });
      sessions.insert({ ...session, idempotencyKey: null, attempt: 1 });
      return session;
    });
    db.close();

    const port = await freePort();
    const env = relayEnv(port, dbFile, shop);
    const first = await startRelayProcess(env);
    children.push(first);

    const bodies = seeded.map((session, i) =>
      JSON.stringify({ id: `sbx_evt_crash_${i}`, type: 'payment.paid', session_id: session.id, payment_id: `sbx_pay_${i}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(Date.now() / 1000) }),
    );

    const acked = new Set<number>();
    // Eight concurrent senders working through the list, like a provider's delivery workers.
    let next = 0;
    const sender = async () => {
      while (next < EVENTS) {
        const i = next++;
        const status = await deliver(port, bodies[i]);
        if (status === 200) acked.add(i);
        // Kill mid-burst: some events acknowledged, some in flight, some never received.
        if (acked.size === EVENTS / 4) first.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(EVENTS / 4);
    expect(acked.size).toBeLessThan(EVENTS);

    const second = await startRelayProcess(env);
    children.push(second);
    // The provider retries whatever was not acknowledged.
    const retried = await Promise.all(bodies.map((body, i) => (acked.has(i) ? Promise.resolve(200) : deliver(port, body))));
    expect(retried.every((status) => status === 200)).toBe(true);

    // Wait for the outbox to empty, not for the first note: a repeated write would land after it.
    expect(await outboxOnceDrained(port, Date.now() + 20_000)).toMatchObject({ pending: 0, dead: 0 });
    const notesFor = (i: number) => shop.orders.notes(seeded[i].merchantOrderId).filter((n) => n.note.includes('[Payrelay ref'));

    for (let i = 0; i < EVENTS; i += 1) {
      expect(notesFor(i)).toHaveLength(1);
      expect(shop.orders.getOrder(seeded[i].merchantOrderId)!.status).toBe('processing');
    }
    second.kill('SIGTERM');
  }, 60_000);

  it.each([
    ['the status write', 'PUT', ''],
    ['the order note', 'POST', '/notes'],
  ])('killed after WooCommerce applied %s but before the relay heard back: the restart finishes without a second write or note', async (_what, method, suffix) => {
    const dbFile = path.join(dir, `relay-mid-${method}.db`);
    const db = openDatabase(dbFile);
    const orderId = shop.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' });
    const session = aSession({ id: `ps_mid_${method}`, merchantOrderId: orderId, provider: 'sandbox', providerSessionId: `ps_mid_${method}`, createdAt: Date.now(), expiresAt: Date.now() + 3600_000 });
    createSqliteSessionStore(db).insert({ ...session, idempotencyKey: null, attempt: 1 });
    db.close();
    shop.faults.add({ method, path: new RegExp(`/orders/${orderId}${suffix}$`), fault: { kind: 'apply_then_hang' } });

    const port = await freePort();
    // Longer than the test waits: the relay must die still waiting for the shop's answer.
    const env = relayEnv(port, dbFile, shop, { WC_TIMEOUT_MS: '30000' });
    const first = await startRelayProcess(env);
    children.push(first);
    const body = JSON.stringify({ id: `sbx_evt_mid_${method}`, type: 'payment.paid', session_id: session.id, payment_id: `sbx_pay_mid_${method}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(Date.now() / 1000) });
    expect(await deliver(port, body)).toBe(200);

    const ourNotes = () => shop.orders.notes(orderId).filter((n) => n.note.includes('[Payrelay ref'));
    const writes = () => shop.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/orders/${orderId}`)).length;
    const deadline = Date.now() + 20_000;
    while (!shop.requests.some((r) => r.fault === 'apply_then_hang' && r.path.endsWith(`/orders/${orderId}${suffix}`))) {
      if (Date.now() > deadline) throw new Error(`the relay never sent ${method} /orders/${orderId}${suffix}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The shop did the write; the relay is still waiting for its answer when it dies.
    expect(shop.orders.getOrder(orderId)!.status).toBe('processing');
    first.kill('SIGKILL');
    await exited(first);
    const writesBeforeRestart = writes();

    const second = await startRelayProcess(env);
    children.push(second);
    expect(await outboxOnceDrained(port, deadline + 20_000)).toMatchObject({ pending: 0, dead: 0 });
    expect(ourNotes()).toHaveLength(1);
    expect(shop.orders.getOrder(orderId)).toMatchObject({ status: 'processing', transactionId: `sbx_pay_mid_${method}` });
    // The order was already paid when the relay came back: it is not set paid a second time.
    expect(writes()).toBe(writesBeforeRestart);
    second.kill('SIGTERM');
  }, 60_000);
});
