import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { startRelay } from '../../relay/src/relay';
import { eventually } from '../helpers/browser-chromium';
import { assertMatchesOpenapi } from '../helpers/openapi-contract';
import { OPS_SANDBOX_SECRET, startOpsRelay, type OpsRelay } from '../helpers/ops-relay';
import { TEST_STORE } from '../helpers/test-store';
import { startWooCommerceStandIn } from '../helpers/woocommerce-stand-in';

/** One sample's value from the Prometheus text, 0 when the series does not exist (never incremented). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (wanted.every(([key, value]) => have[key] === value)) {
      total += Number(match[3]);
      found = true;
    }
  }
  return found ? total : 0;
}

describe('/metrics after a scripted burst', () => {
  let ops: OpsRelay;
  beforeEach(async () => {
    ops = await startOpsRelay();
  });
  afterEach(async () => {
    await ops.close();
  });

  const deliver = (body: string, secret = OPS_SANDBOX_SECRET, provider = 'sandbox') =>
    fetch(`${ops.relay.url}/webhooks/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(secret, body, Date.now()) },
      body,
    }).then((response) => response.status);
  const scrape = async () => {
    const response = await fetch(`${ops.relay.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assertMatchesOpenapi({ method: 'GET', url: '/metrics', status: 200, contentType: response.headers.get('content-type'), responseBody: text });
    return text;
  };
  const event = (id: string, type: string, sessionId: string) =>
    JSON.stringify({ id, type, session_id: sessionId, payment_id: `sbx_pay_${sessionId}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(Date.now() / 1000) });

  it('webhooks by outcome, shop writes, dead letters and provider calls add up to what was sent', async () => {
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await ops.checkout());
    // Shop outage for two orders: every write to them fails until they dead-letter (3 attempts here).
    const down = sessions.slice(0, 2).map((s) => s.orderId);
    for (const orderId of down) ops.shop.faults.add({ method: 'PUT', path: new RegExp(`/orders/${orderId}$`), fault: { kind: 'status', status: 503 }, count: 1000 });
    for (const orderId of down) ops.shop.faults.add({ method: 'POST', path: new RegExp(`/orders/${orderId}/notes$`), fault: { kind: 'status', status: 503 }, count: 1000 });

    const paid = sessions.map((s, i) => event(`sbx_evt_metrics_paid_${i}`, 'payment.paid', s.session.session_id));
    const statuses: number[] = [];
    // 5 new, 3 of them again (duplicates), 2 late pendings after paid (ignored), 2 bad signatures, 1 unknown session,
    // 1 malformed, 1 unknown provider.
    statuses.push(...(await Promise.all(paid.map((body) => deliver(body)))));
    statuses.push(...(await Promise.all(paid.slice(0, 3).map((body) => deliver(body)))));
    statuses.push(await deliver(event('sbx_evt_metrics_late_0', 'payment.pending', sessions[3].session.session_id)));
    statuses.push(await deliver(event('sbx_evt_metrics_late_1', 'payment.pending', sessions[4].session.session_id)));
    statuses.push(await deliver(event('sbx_evt_metrics_forged_0', 'payment.paid', sessions[4].session.session_id), 'not_the_sandbox_secret_000'));
    statuses.push(await deliver(event('sbx_evt_metrics_forged_1', 'payment.paid', sessions[4].session.session_id), 'not_the_sandbox_secret_000'));
    statuses.push(await deliver(event('sbx_evt_metrics_stranger', 'payment.paid', 'ps_nobody_made_this')));
    statuses.push(await deliver('{"id": "sbx_evt_metrics_broken"'));
    statuses.push(await deliver(paid[0], OPS_SANDBOX_SECRET, 'nosuchpay'));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 200, 400, 404]);

    // The worker writes the three healthy orders and gives up on the two whose shop is down.
    await eventually('the outbox to settle', () => {
      const counts = ops.relay.stores.outbox.counts();
      return counts.pending === 0 && counts.dead >= 2 ? counts : undefined;
    }, 20_000);
    // The worker counts an outcome once its bookkeeping is on disk, a moment after the row is visible: wait for that.
    const text = await eventually('the shop-write counters to catch up with the outbox', async () => {
      const scraped = await scrape();
      return sample(scraped, 'payrelay_shop_writes_total', { outcome: 'dead' }) >= 2 ? scraped : undefined;
    }, 20_000);
    const webhooks = (labels: Record<string, string>) => sample(text, 'payrelay_webhooks_received_total', labels);
    expect(webhooks({ provider: 'sandbox', outcome: 'stored' })).toBe(6);
    expect(webhooks({ provider: 'sandbox', outcome: 'stored', reason: 'applied' })).toBe(5);
    // An event for a session the relay does not know yet is parked until it appears (issue 12 item 6).
    expect(webhooks({ provider: 'sandbox', outcome: 'stored', reason: 'parked' })).toBe(1);
    expect(webhooks({ provider: 'sandbox', outcome: 'duplicate' })).toBe(3);
    expect(webhooks({ provider: 'sandbox', outcome: 'ignored' })).toBe(2);
    expect(webhooks({ provider: 'sandbox', outcome: 'rejected', reason: 'bad_signature' })).toBe(2);
    expect(webhooks({ provider: 'sandbox', outcome: 'rejected', reason: 'malformed' })).toBe(1);
    expect(webhooks({ provider: 'unknown', outcome: 'rejected', reason: 'unknown_provider' })).toBe(1);
    expect(webhooks({})).toBe(statuses.length);
    expect(sample(text, 'payrelay_webhook_ack_seconds_count')).toBe(statuses.length);

    // Shop writes: the counters agree with the outbox rows.
    const rows = ops.sql.all("SELECT state, kind, COUNT(*) AS n FROM outbox WHERE kind IN ('order_write', 'order_note') GROUP BY state, kind") as Array<{ state: string; kind: string; n: number }>;
    const shopDone = rows.filter((r) => r.state === 'done').reduce((n, r) => n + r.n, 0);
    const shopDead = rows.filter((r) => r.state === 'dead').reduce((n, r) => n + r.n, 0);
    expect(shopDead).toBe(2);
    expect(sample(text, 'payrelay_shop_writes_total', { outcome: 'done' })).toBe(shopDone);
    expect(sample(text, 'payrelay_shop_writes_total', { outcome: 'dead' })).toBe(shopDead);
    // Three attempts each for the two orders that never got through: two retries, then dead.
    expect(sample(text, 'payrelay_shop_writes_total', { outcome: 'retry' })).toBe(2 * shopDead);
    expect(sample(text, 'payrelay_shop_write_seconds_count')).toBe(shopDone + 3 * shopDead);
    expect(sample(text, 'payrelay_dead_letters_total')).toBe(ops.relay.stores.outbox.counts().dead);
    expect(sample(text, 'payrelay_outbox_dead')).toBe(ops.relay.stores.outbox.counts().dead);
    expect(sample(text, 'payrelay_outbox_pending')).toBe(0);
    expect(sample(text, 'payrelay_outbox_oldest_pending_age_seconds')).toBe(0);

    // Sessions by status, and the provider calls the five checkouts made.
    expect(sample(text, 'payrelay_sessions', { status: 'paid' })).toBe(5);
    expect(sample(text, 'payrelay_provider_calls_total', { provider: 'sandbox', method: 'createCheckout', outcome: 'ok' })).toBe(5);
    expect(sample(text, 'payrelay_provider_breaker_state', { provider: 'sandbox' })).toBe(0);
  }, 60_000);

  it('serves shared/openapi.yaml at /openapi.yaml, the document the tests check answers against', async () => {
    const response = await fetch(`${ops.relay.url}/openapi.yaml`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(await response.text()).toBe(fs.readFileSync(path.resolve(__dirname, '../../shared/openapi.yaml') /* the repository's own shared/ */, 'utf8'));
  });

  it('is refused to a caller relayed by a proxy unless a token is configured, and then needs that token', async () => {
    const proxied = await fetch(`${ops.relay.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
    const refusal = await proxied.json();
    assertMatchesOpenapi({ method: 'GET', url: '/metrics', status: 403, contentType: proxied.headers.get('content-type'), responseBody: refusal });
    expect(refusal).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/set PAYRELAY_METRICS_TOKEN/) } });
    await ops.close();
    ops = await startOpsRelay({ PAYRELAY_METRICS_TOKEN: 'metrics_token_for_the_test_0123' });
    expect((await fetch(`${ops.relay.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${ops.relay.url}/metrics`, { headers: { authorization: 'Bearer not_the_token_0000000' } })).status).toBe(401);
    const scraped = await fetch(`${ops.relay.url}/metrics`, { headers: { authorization: 'Bearer metrics_token_for_the_test_0123', 'x-forwarded-for': '203.0.113.9' } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('payrelay_webhooks_received_total');
  });
});

describe('/readyz', () => {
  it('200 when the database writes, the shop answers and the outbox moves; /healthz stays liveness', async () => {
    const ops = await startOpsRelay();
    try {
      const response = await fetch(`${ops.relay.url}/readyz`);
      expect(response.status).toBe(200);
      const ready = await response.json();
      assertMatchesOpenapi({ method: 'GET', url: '/readyz', status: 200, contentType: response.headers.get('content-type'), responseBody: ready });
      const health = await fetch(`${ops.relay.url}/healthz`);
      assertMatchesOpenapi({ method: 'GET', url: '/healthz', status: health.status, contentType: health.headers.get('content-type'), responseBody: await health.json() });
      expect(ready).toEqual({
        ready: true,
        reasons: [],
        checks: {
          database: { ok: true },
          shop: { ok: true, checked_at: expect.any(String), latency_ms: expect.any(Number) },
          outbox: { ok: true, oldest_pending_age_seconds: null, threshold_seconds: 900 },
        },
      });
    } finally {
      await ops.close();
    }
  });

  // On PostgreSQL the probe's write is the relay's row in relay_heartbeats (a fleet has no single-relay lock).
  (TEST_STORE === 'postgres' ? it : it.skip)('PostgreSQL: the database check writes this relay\'s heartbeat row, never the schema version', async () => {
    const ops = await startOpsRelay();
    try {
      const version = ops.sql.get('SELECT version FROM payrelay_schema');
      ops.sql.run('UPDATE relay_heartbeats SET heartbeat_at = 1');
      expect((await fetch(`${ops.relay.url}/readyz`)).status).toBe(200);
      expect(ops.sql.get('SELECT heartbeat_at FROM relay_heartbeats').heartbeat_at).toBeGreaterThan(1);
      expect(ops.sql.get('SELECT pid FROM relay_heartbeats')).toEqual({ pid: process.pid });
      expect(ops.sql.get('SELECT version FROM payrelay_schema')).toEqual(version);
    } finally {
      await ops.close();
    }
  });

  // The SQLite file's single-relay lock; PostgreSQL relays share their database by design (a fleet) and probe it their way.
  (TEST_STORE === 'sqlite' ? it : it.skip)('SQLite: the database check writes the lock heartbeat, never the schema version; a relay that lost the file to another is not ready', async () => {
    const ops = await startOpsRelay();
    try {
      const db = ops.relay.db;
      const version = db.pragma('user_version', { simple: true });
      db.prepare('UPDATE relay_lock SET heartbeat_at = 1').run();
      expect((await fetch(`${ops.relay.url}/readyz`)).status).toBe(200);
      expect((db.prepare('SELECT heartbeat_at FROM relay_lock').get() as { heartbeat_at: number }).heartbeat_at).toBeGreaterThan(1);
      expect(db.pragma('user_version', { simple: true })).toBe(version);

      db.prepare("UPDATE relay_lock SET owner = 'another-relay'").run();
      const lost = await fetch(`${ops.relay.url}/readyz`);
      expect(lost.status).toBe(503);
      const body = (await lost.json()) as any;
      expect(body.checks.database).toEqual({ ok: false });
      expect(body.reasons).toContainEqual(expect.stringContaining('another relay holds this database file'));
    } finally {
      await ops.close();
    }
  });

  it('503 with the reasons: keys refused, and the oldest waiting command older than the threshold', async () => {
    const shop = await startWooCommerceStandIn();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-readyz-'));
    const config = loadConfig({
      PAYRELAY_PORT: '0',
      PAYRELAY_HOST: '127.0.0.1',
      PAYRELAY_DB: path.join(dir, 'relay.db'),
      WC_URL: shop.url,
      WC_CONSUMER_KEY: 'ck_refused_by_the_shop',
      WC_CONSUMER_SECRET: 'cs_refused_by_the_shop',
      PAYRELAY_SHOP_SECRET: 'readyz_test_shop_secret_0123456789',
      PAYRELAY_READY_MAX_OUTBOX_AGE_SECONDS: '60',
    });
    // No worker: the queued command stays queued.
    const relay = await startRelay(config, { logger: silentLogger, background: false });
    try {
      relay.stores.outbox.enqueue('1001', { kind: 'order_note', ref: 'sandbox:evt_1', sessionId: null, text: 'a note' }, Date.now() - 120_000);
      const response = await fetch(`${relay.url}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as any;
      assertMatchesOpenapi({ method: 'GET', url: '/readyz', status: 503, contentType: response.headers.get('content-type'), responseBody: body });
      expect(body.ready).toBe(false);
      expect(body.checks).toMatchObject({ database: { ok: true }, shop: { ok: false, code: expect.any(String) }, outbox: { ok: false, threshold_seconds: 60 } });
      expect(body.checks.outbox.oldest_pending_age_seconds).toBeGreaterThanOrEqual(120);
      expect(body.reasons).toEqual([
        expect.stringMatching(new RegExp(`^the shop at ${shop.url.replace(/[.]/g, '\\.')} refused the relay's WooCommerce keys \\(.*HTTP 401\\).*; order updates wait in the outbox until it answers$`)),
        expect.stringMatching(/^the oldest command in the outbox has waited 1[2-9]\d s \(more than 60 s\): shop writes are stuck/),
      ]);
      // Liveness is another question: the process serves.
      expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    } finally {
      await relay.close();
      await shop.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
