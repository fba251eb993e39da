import { openPostgres } from '../../relay/src/adapters/postgres/open-postgres';
import { FLEET_LEASE_MS } from '../../relay/src/adapters/postgres/postgres-fleet';
import { DATABASE_NOW_MS } from '../../relay/src/adapters/postgres/postgres-outbox-store';
import type { PgDb } from '../../relay/src/adapters/postgres/pg-database';
import { createPostgresSessionStore } from '../../relay/src/adapters/postgres/postgres-session-store';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { aSession } from '../helpers/builders';
import { startHarness } from '../helpers/relay-harness';
import { freePort, startRelayProcess, type RelayProcess } from '../helpers/relay-process';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy';
import { createTestSchema, TEST_STORE, type TestSchema } from '../helpers/test-store';
import { startWooCommerceStandIn, type WooCommerceStandIn } from '../helpers/woocommerce-stand-in';

const SECRET = 'sandbox_fleet_test_secret_0123';
const EVENTS = 60;
const RELAYS = 3;

/**
 * Several relays on one database is what PostgreSQL is for; on the SQLite entry point this suite has nothing
 * to run (one relay per file: one-relay-per-file.test.ts), so it runs in the PostgreSQL pass only.
 */
const onPostgres = TEST_STORE === 'postgres' ? describe : describe.skip;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

onPostgres('a fleet: three relays on one PostgreSQL database behind a round-robin proxy', () => {
  let shop: WooCommerceStandIn;
  let schema: TestSchema;
  let db: PgDb;
  let proxy: RoundRobinProxy;
  const relays: RelayProcess[] = [];

  beforeAll(async () => {
    shop = await startWooCommerceStandIn();
    schema = createTestSchema();
    db = openPostgres(schema.url);
  });
  afterAll(async () => {
    relays.forEach((relay) => relay.child.kill('SIGKILL'));
    await Promise.all(relays.map((relay) => relay.exited));
    await proxy?.close();
    await shop.close();
    db.close();
    schema.drop();
  });

  it('each event delivered two or three times to different relays at once, one relay SIGKILLed mid-burst holding a shop write, then the shop down for 3 s: every acknowledged event applied exactly once, one note each', async () => {
    const sessions = createPostgresSessionStore(db);
    const seeded = db.transaction(() =>
      Array.from({ length: EVENTS }, (_, i) => {
        const orderId = shop.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' });
        const session = aSession({ id: `ps_fleet_${i}`, merchantOrderId: orderId, provider: 'sandbox', providerSessionId: `ps_fleet_${i}`, createdAt: Date.now(), expiresAt: Date.now() + 3600_000 });
        sessions.insert({ ...session, idempotencyKey: null, attempt: 1 });
        return session;
      }),
    );

    const ports = await Promise.all(Array.from({ length: RELAYS }, () => freePort()));
    proxy = await startRoundRobinProxy(ports);
    for (const port of ports) {
      relays.push(
        startRelayProcess(
          {
            PAYRELAY_PORT: String(port),
            PAYRELAY_HOST: '127.0.0.1',
            PAYRELAY_DATABASE_URL: schema.url,
            PAYRELAY_PUBLIC_URL: proxy.url,
            WC_URL: shop.url,
            WC_CONSUMER_KEY: shop.consumerKey,
            WC_CONSUMER_SECRET: shop.consumerSecret,
            WC_TIMEOUT_MS: '2000',
            PAYRELAY_SHOP_SECRET: 'fleet_test_shop_secret_0123456789',
            PAYRELAY_SANDBOX: '1',
            SANDBOX_WEBHOOK_SECRET: SECRET,
            PAYRELAY_WORKER_POLL_MS: '20',
            PAYRELAY_WORKER_BASE_DELAY_MS: '50',
            PAYRELAY_WORKER_MAX_DELAY_MS: '500',
            PAYRELAY_WORKER_MAX_ATTEMPTS: '60',
            PAYRELAY_LOG_LEVEL: 'error',
          },
          { inherit: true },
        ),
      );
    }
    await Promise.all(relays.map((relay) => relay.listening));
    expect(db.get('SELECT COUNT(*) AS n FROM relay_heartbeats')).toEqual({ n: RELAYS });

    const bodies = seeded.map((session, i) =>
      JSON.stringify({ id: `sbx_evt_fleet_${i}`, type: 'payment.paid', session_id: session.id, payment_id: `sbx_pay_fleet_${i}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(Date.now() / 1000) }),
    );
    const deliver = (i: number): Promise<number> =>
      fetch(`${proxy.url}/webhooks/sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(SECRET, bodies[i], Date.now()) },
        body: bodies[i],
      }).then((answer) => answer.status, () => 0);

    // The shop answers slowly (300 ms a request), so writes are in flight on every relay during the burst.
    shop.faults.add({ path: /.*/, fault: { kind: 'latency', ms: 300 }, count: 1_000_000 });
    const victim = relays[1];
    // A worker's lease names its process (host:pid:random): the victim is killed while it holds one, a shop
    // write in flight (the slow shop still applies it after the victim is gone: the ambiguous failure).
    const heldByVictim = () =>
      db.all<{ id: number }>("SELECT id FROM outbox WHERE state = 'pending' AND lease_owner LIKE $1", [`%:${victim.child.pid}:%`]).map((row) => row.id);
    const victimHoldsLease = () => heldByVictim().length > 0;
    let shopBack: Promise<void> | null = null;
    // What the victim held when it died, read after the kill (it runs no more code): those leases must run out and
    // the live relays finish them. Read now, not after the burst: on busy cores the burst can outlast a lease.
    let leftByVictim: number[] = [];
    const killVictimAndTakeShopDown = () => {
      victim.child.kill('SIGKILL');
      leftByVictim = heldByVictim();
      // Then the shop is down (nginx's 502 page) for 3 s, while the burst goes on.
      shop.faults.clear();
      shop.faults.add({ path: /.*/, fault: { kind: 'bad_gateway' }, count: 1_000_000 });
      shopBack = sleep(3000).then(() => shop.faults.clear());
    };

    const acked = new Set<number>();
    let next = 0;
    // Four senders; each event's copies go out together, so the proxy hands them to consecutive relays.
    const sender = async () => {
      while (next < EVENTS) {
        const i = next++;
        const copies = i % 2 === 0 ? 2 : 3;
        const statuses = await Promise.all(Array.from({ length: copies }, () => deliver(i)));
        if (statuses.includes(200)) acked.add(i);
        if (!shopBack && acked.size >= 8 && victimHoldsLease()) killVictimAndTakeShopDown();
        await sleep(30);
      }
    };
    await Promise.all(Array.from({ length: 4 }, sender));
    // Mid-burst: events after the kill were still being sent.
    expect(shopBack).not.toBeNull();
    await victim.exited;
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThan(8);
    expect(leftByVictim.length).toBeGreaterThan(0);

    // The provider retries whatever no relay acknowledged (the dead relay's turn at the proxy is a 502).
    for (let i = 0; i < EVENTS; i += 1) {
      for (let tries = 0; !acked.has(i) && tries < 20; tries += 1) if ((await deliver(i)) === 200) acked.add(i);
    }
    expect(acked.size).toBe(EVENTS);
    await shopBack;

    // The dead relay's claims (leftByVictim) run out (10 s lease) and the live ones take them over.
    const deadline = Date.now() + 45_000;
    const open = () => db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state <> 'done'")!.n;
    while (open() > 0 && Date.now() < deadline) await sleep(200);
    expect(db.all("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")).toEqual([{ state: 'done', n: EVENTS }]);

    // Every relay took part, and each event is one inbox row and one note, whatever relay wrote it.
    expect(proxy.handed.every((n) => n > 0)).toBe(true);
    expect(db.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: EVENTS });
    for (let i = 0; i < EVENTS; i += 1) {
      const notes = shop.orders.notes(seeded[i].merchantOrderId).filter((note) => note.note.includes('[Payrelay ref'));
      expect(notes).toHaveLength(1);
      expect(shop.orders.getOrder(seeded[i].merchantOrderId)!.status).toBe('processing');
    }
    const survivors = relays.filter((relay) => relay !== victim);
    survivors.forEach((relay) => relay.child.kill('SIGTERM'));
    expect(await Promise.all(survivors.map((relay) => relay.exited))).toEqual([0, 0]);
    // A clean stop leaves the fleet's table; the killed relay's row stays behind, its heartbeat no longer moving.
    expect(db.all('SELECT pid FROM relay_heartbeats')).toEqual([{ pid: victim.child.pid }]);
  }, 90_000);
});


onPostgres('a relay of a fleet that is stopped (SIGTERM, a rolling deploy) while it writes to a slow shop', () => {
  it('keeps the lease of the write it finishes: no other relay can take that command over and write it a second time meanwhile', async () => {
    const h = await startHarness({ WC_TIMEOUT_MS: String(FLEET_LEASE_MS + 20_000) }, { background: true });
    try {
      const session = h.seed();
      // The shop answers the write's first call later than a lease lasts, and well after the check below (which
      // a busy machine may make a few seconds late: the check must still come while the write waits).
      h.shop.faults.add({ path: new RegExp(`/orders/${session.merchantOrderId}`), fault: { kind: 'latency', ms: FLEET_LEASE_MS + 8_000 } });
      expect((await h.send(session, 'paid')).status).toBe(200);
      const leaseLeft = () => h.sql.get<{ ms: number | null }>(`SELECT lease_until - ${DATABASE_NOW_MS} AS ms FROM outbox WHERE state = 'pending'`)?.ms ?? null;
      const claimBy = Date.now() + 15_000;
      while (leaseLeft() === null && Date.now() < claimBy) await sleep(20);
      expect(leaseLeft()).toBeGreaterThan(0);
      // Claimed is not yet writing: the worker reads the order first, and a command claimed but not started is
      // given back at a stop (another relay takes it). The write has begun once the shop holds the slow call.
      while (h.shop.faults.pending().length > 0 && Date.now() < claimBy) await sleep(20);
      expect(h.shop.faults.pending()).toEqual([]);

      const stopping = h.relay.close();
      await sleep(FLEET_LEASE_MS + 1_000);
      // Still draining, and still holding the command: by the database's clock its lease has not run out.
      expect(leaseLeft()).toBeGreaterThan(0);
      await stopping;
      expect(h.sql.all('SELECT state FROM outbox')).toEqual([{ state: 'done' }]);
      expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    } finally {
      await h.close();
    }
  }, 60_000);
});
