import type { RelayHandle } from '../../relay/src/relay';
import { ManualClock } from '../helpers/relay-harness';
import { callSigned, sendSandboxWebhook, startShopsRelay, type ShopsRelay } from '../helpers/shops-relay';
import { TEST_STORE } from '../helpers/test-store';
import { startWooCommerceStandIn } from '../helpers/woocommerce-stand-in';

const ADMIN_TOKEN = 'admin_token_of_the_fleet_0123456789abcdef';
const GAMMA_SECRET = 'shop_secret_of_shop_gamma_0123456789';
const GAMMA_SANDBOX = 'sandbox_secret_of_shop_gamma_0123';

/**
 * Registered shops on a fleet: two relays on one PostgreSQL database, each shop in a schema of its own and the
 * registry in the main one. On SQLite there is nothing to run (one relay per file), so PostgreSQL pass only.
 */
const onPostgres = TEST_STORE === 'postgres' ? describe : describe.skip;

const until = async (done: () => boolean | Promise<boolean>, what: string, limitMs = 15_000) => {
  const stop = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > stop) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

async function adminApi(base: string, method: 'POST' | 'DELETE', path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

onPostgres('registered shops on a fleet: two relays on one PostgreSQL database', () => {
  describe('with the worker driven by the test', () => {
    let first: ShopsRelay;
    let second: ShopsRelay;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = new ManualClock();
      first = await startShopsRelay([{ id: 'alpha' }], { clock, env: { PAYRELAY_ADMIN_TOKEN: ADMIN_TOKEN } });
      second = await startShopsRelay([], { clock, joining: first });
    });
    afterEach(async () => {
      await second?.close();
      await first?.close();
    });

    test('a shop registered before the second relay started is served by it, from the same schema', async () => {
      const onFirst = first.shop('alpha');
      const onSecond = second.shop('alpha');
      expect(onSecond.relay.pg!.schema).toBe(onFirst.relay.pg!.schema);
      const session = onFirst.seed();
      expect((await sendSandboxWebhook(second.url, '/webhooks/alpha/sandbox', onSecond.sandboxSecret, session, 'paid', clock.now())).status).toBe(200);
      expect(onFirst.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 1 });
      // The main schema (the environment shop's) holds none of it.
      expect(first.env.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
    });

    test("a shop added through one relay's shops API is served by the other at its next registry read, and removed through the other it stops on both", async () => {
      const woo = await startWooCommerceStandIn();
      first.woos.set('gamma', woo);
      const gamma = { id: 'gamma', settings: { WC_URL: woo.url, WC_CONSUMER_KEY: woo.consumerKey, WC_CONSUMER_SECRET: woo.consumerSecret, PAYRELAY_SHOP_SECRET: GAMMA_SECRET, PAYRELAY_SANDBOX: '1', SANDBOX_WEBHOOK_SECRET: GAMMA_SANDBOX } };
      const ping = (relay: ShopsRelay) => callSigned(relay.url, 'POST', '/v1/ping', GAMMA_SECRET, 'gamma', {}, {}, clock.now());

      expect((await adminApi(first.url, 'POST', '/admin/api/shops', gamma)).status).toBe(201);
      expect((await ping(first)).status).toBe(200);
      // The second relay has not read the registry since (its 5 s poll; the test runs it by hand).
      expect((await ping(second)).body.error.code).toBe('unknown_shop');
      expect(await second.syncShops()).toEqual({ started: ['gamma'], stopped: [] });
      expect((await ping(second)).status).toBe(200);

      // A payment's webhook delivered to both relays at once: one event in gamma's schema, one write to gamma's shop.
      const session = first.shop('gamma').seed();
      const answers = await Promise.all([first, second].map((relay) => sendSandboxWebhook(relay.url, '/webhooks/gamma/sandbox', GAMMA_SANDBOX, session, 'paid', clock.now(), 'evt_gamma_twice')));
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const gammaOn = (relay: ShopsRelay): RelayHandle => relay.shops.get('gamma')!;
      expect(first.shop('gamma').sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 1 });
      await Promise.all([gammaOn(first).worker.runOnce(), gammaOn(second).worker.runOnce()]);
      await Promise.all([gammaOn(first).worker.runOnce(), gammaOn(second).worker.runOnce()]);
      expect(woo.orders.getOrder(session.merchantOrderId)?.status).toBe('processing');
      expect(woo.orders.notes(session.merchantOrderId).filter((n) => n.note.includes('[Payrelay ref'))).toHaveLength(1);
      // Nothing of gamma reached alpha's schema or shop.
      expect(first.shop('alpha').sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
      expect(first.shop('alpha').woo.requests).toHaveLength(0);

      expect((await adminApi(second.url, 'DELETE', '/admin/api/shops/gamma')).status).toBe(200);
      expect((await ping(second)).body.error.code).toBe('unknown_shop');
      expect(await first.syncShops()).toEqual({ started: [], stopped: ['gamma'] });
      expect((await ping(first)).body.error.code).toBe('unknown_shop');
      expect(first.shops.has('alpha') && second.shops.has('alpha')).toBe(true);
    });

    test('the shop secret of a shop added through the other relay is checked against every shop of the fleet', async () => {
      const taken = await adminApi(second.url, 'POST', '/admin/api/shops', {
        id: 'delta',
        settings: { WC_URL: 'https://delta.example', WC_CONSUMER_KEY: 'ck_delta', WC_CONSUMER_SECRET: 'cs_delta', PAYRELAY_SHOP_SECRET: first.shop('alpha').shopSecret },
      });
      expect(taken.status).toBe(400);
      expect(taken.json.error.details.join(' ')).toContain("already another shop's");
    });
  });

  describe('with background work on (real clock)', () => {
    let first: ShopsRelay;
    let second: ShopsRelay | null;

    beforeEach(async () => {
      first = await startShopsRelay([{ id: 'alpha' }, { id: 'beta' }], { background: true, env: { PAYRELAY_WORKER_POLL_MS: '20' } });
      second = await startShopsRelay([], { background: true, joining: first });
    });
    afterEach(async () => {
      await second?.close();
      await first?.close();
    });

    /** The backends holding a schema's leader lock (postgres-fleet.ts: advisory lock (hashtext(schema), hashtext('payrelay-leader'))). */
    const leaders = (schema: string): number[] =>
      first.env.sql
        .all<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
             AND classid = (hashtext(?)::bigint & 4294967295)::oid AND objid = (hashtext('payrelay-leader')::bigint & 4294967295)::oid`,
          schema,
        )
        .map((row) => row.pid);
    const backendOf = (relay: RelayHandle): number => relay.pg!.get<{ pid: number }>('SELECT pg_backend_pid() AS pid')!.pid;

    test("each shop's schedules have one leader in the fleet, per shop schema, taken over by the other relay when it stops", async () => {
      const [alphaSchema, betaSchema] = ['alpha', 'beta'].map((id) => first.shop(id).relay.pg!.schema);
      expect(alphaSchema).not.toBe(betaSchema);
      // The first relay started first, so it leads every shop (and the environment shop); the second one waits.
      expect(leaders(first.relay.pg!.schema)).toEqual([backendOf(first.relay)]);
      expect(leaders(alphaSchema)).toEqual([backendOf(first.shop('alpha').relay)]);
      expect(leaders(betaSchema)).toEqual([backendOf(first.shop('beta').relay)]);

      // Alpha's relay on the first one stops: the second takes alpha over at its next beat, beta stays where it was.
      await first.shop('alpha').relay.close();
      const alphaOnSecond = backendOf(second!.shop('alpha').relay);
      await until(() => leaders(alphaSchema).join() === String(alphaOnSecond), "alpha's leadership taken over by the second relay");
      expect(leaders(betaSchema)).toEqual([backendOf(first.shop('beta').relay)]);

      // A payment for alpha arriving at the second relay is written once, by the relay that is left.
      const alpha = second!.shop('alpha');
      const session = alpha.seed();
      expect((await sendSandboxWebhook(second!.url, '/webhooks/alpha/sandbox', alpha.sandboxSecret, session, 'paid')).status).toBe(200);
      // Done means the command's outcome is recorded: the status comes first, the note after it, the bookkeeping last.
      const written = () => alpha.relay.stores.outbox.counts();
      await until(() => alpha.relay.stores.outbox.countDone() > 0 && written().pending === 0, 'alpha written by the second relay');
      expect(written()).toMatchObject({ pending: 0, dead: 0 });
      expect(alpha.woo.orders.getOrder(session.merchantOrderId)?.status).toBe('processing');
      expect(alpha.woo.orders.notes(session.merchantOrderId).filter((n) => n.note.includes('[Payrelay ref'))).toHaveLength(1);
    });
  });
});
