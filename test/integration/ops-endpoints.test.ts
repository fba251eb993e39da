import { randomBytes } from 'node:crypto';
import { RELAY_VERSION } from '../../relay/src/relay';
import { eventually } from '../helpers/browser-chromium';
import { startOpsRelay, type OpsRelay, type SignOptions } from '../helpers/ops-relay';

/**
 * The endpoints the plugin's admin screens call (ping, shop check, diagnostics, test event, order check) and the
 * thank-you page's status poll, against the real relay with its worker running and the WooCommerce stand-in.
 */
describe('ops endpoints for the plugin', () => {
  let ops: OpsRelay;
  beforeEach(async () => {
    ops = await startOpsRelay();
  });
  afterEach(async () => {
    await ops.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const testNotes = (orderId: string) => ops.shop.orders.notes(orderId).filter((n) => n.note.startsWith('Payrelay test event'));

  describe('POST /v1/ping', () => {
    it('signed: 200 with version, mode and the relay\'s time', async () => {
      const answer = await ops.signed('POST', '/v1/ping');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ok: true, version: RELAY_VERSION, mode: 'test', time: expect.any(String) });
      expect(Math.abs(Date.parse(answer.body.time) - Date.now())).toBeLessThan(5000);
    });

    it.each<[string, SignOptions, string, RegExp]>([
      ['unsigned', { unsigned: true }, 'missing_signature', /headers are required/],
      ['signed with another secret', { secret: 'not_the_shop_secret_at_all_0000' }, 'bad_signature', /check the shop secret/],
      ['ten minutes old', { timestamp: now() - 600 }, 'stale_timestamp', /check the shop's clock/],
      ['ten minutes in the future', { timestamp: now() + 600 }, 'stale_timestamp', /check the shop's clock/],
      ['signed for another path', { signedPath: '/v1/diagnostics/shop-check' }, 'bad_signature', /does not match this request/],
    ])('%s: 401 with the reason', async (_name, options, code, message) => {
      const answer = await ops.signed('POST', '/v1/ping', undefined, options);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: { code, message: expect.stringMatching(message) } });
    });

    it('a signature for GET /v1/diagnostics is no good for POST /v1/ping (method and path are both signed)', async () => {
      const answer = await ops.signed('POST', '/v1/ping', undefined, { signedPath: '/v1/diagnostics' });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('bad_signature');
    });
  });

  describe('POST /v1/diagnostics/shop-check', () => {
    it('reaches the shop: ok with the latency', async () => {
      ops.shop.faults.add({ path: /\/orders/, fault: { kind: 'latency', ms: 60 } });
      const answer = await ops.signed('POST', '/v1/diagnostics/shop-check');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ok: true, latency_ms: expect.any(Number) });
      expect(answer.body.latency_ms).toBeGreaterThanOrEqual(0);
      expect(answer.body.latency_ms).toBeGreaterThanOrEqual(60);
    });

    it('a bug under a handler is a 500 in the relay error shape, and the relay keeps serving', async () => {
      const ping = ops.relay.gateway.ping;
      ops.relay.gateway.ping = async () => {
        throw new Error('a bug, not a shop failure');
      };
      try {
        const answer = await ops.signed('POST', '/v1/diagnostics/shop-check');
        expect(answer).toMatchObject({ status: 500, body: { error: { code: 'internal_error' } } });
      } finally {
        ops.relay.gateway.ping = ping;
      }
      expect((await fetch(`${ops.relay.url}/healthz`)).status).toBe(200);
    });

    it('the shop is down (nginx 502): ok:false and what happened', async () => {
      ops.shop.faults.add({ path: /\/orders/, fault: { kind: 'bad_gateway' } });
      const answer = await ops.signed('POST', '/v1/diagnostics/shop-check');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ok: false, error: { code: expect.any(String), message: expect.stringContaining('502') } });
    });
  });

  describe('POST /v1/diagnostics/shop-check with wrong WooCommerce keys', () => {
    let wrong: OpsRelay | null = null;
    afterEach(async () => {
      await wrong?.close();
      wrong = null;
    });

    it.each<[string, Record<string, string>, RegExp]>([
      ['a consumer key the shop does not know', { WC_CONSUMER_KEY: `ck_${randomBytes(20).toString('hex')}` }, /consumer key is not known to the shop: set WC_CONSUMER_KEY/],
      ['the right key with a wrong secret', { WC_CONSUMER_SECRET: `cs_${randomBytes(20).toString('hex')}` }, /WC_CONSUMER_SECRET/],
    ])('%s: ok:false with advice an admin can act on', async (_name, env, advice) => {
      // Its own stand-in, whose real key or secret differs from the one the relay is given.
      wrong = await startOpsRelay(env);
      const answer = await wrong.signed('POST', '/v1/diagnostics/shop-check');
      expect(answer.status).toBe(200);
      expect(answer.body.ok).toBe(false);
      expect(answer.body.error.message).toMatch(/^WooCommerce refused the relay's credentials with 401/);
      expect(answer.body.error.message).toMatch(advice);
      // Never echoes a secret back.
      expect(JSON.stringify(answer.body)).not.toContain(env.WC_CONSUMER_SECRET ?? 'cs_');
    });
  });

  describe('GET /v1/diagnostics', () => {
    it('before any webhook: every provider listed with null, an empty outbox, no alerts', async () => {
      const answer = await ops.signed('GET', '/v1/diagnostics');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ last_webhook_at: { sandbox: null }, outbox: { pending: 0, dead: 0 }, parked_events: { waiting: 0, expired: 0, recent: [] }, alerts: [] });
    });

    it('after a webhook: last_webhook_at of that provider is set', async () => {
      const { session } = await ops.checkout();
      const before = Date.now();
      await ops.choose(session.checkout_url, 'pay');
      const answer = await ops.signed('GET', '/v1/diagnostics');
      expect(answer.status).toBe(200);
      const at = Date.parse(answer.body.last_webhook_at.sandbox);
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
      expect(answer.body.outbox).toEqual({ pending: expect.any(Number), dead: 0 });
    });

    it('a write the shop never took shows as a dead outbox command and an alert naming the order', async () => {
      const orderId = ops.shop.orders.createOrder({ total: '5.00', currency: 'EUR', payment_method: 'payrelay' });
      ops.shop.faults.add({ path: /\/orders\//, fault: { kind: 'bad_gateway' }, count: 1000 });
      const event = await ops.signed('POST', '/v1/diagnostics/test-event', { order_id: orderId });
      expect(event.body.ok).toBe(false);
      const answer = await ops.signed('GET', '/v1/diagnostics');
      expect(answer.body.outbox).toEqual({ pending: 0, dead: 1 });
      expect(answer.body.alerts).toEqual([
        { id: expect.anything(), at: expect.any(String), order_id: orderId, code: 'dead_letter', message: expect.stringContaining(`Order ${orderId}: the shop order ${orderId} was NOT updated`) },
      ]);
    });
  });

  describe('POST /v1/alerts/:id/resolve', () => {
    it('a person dismisses an alert: it leaves the open list once and the order log says so; a second dismissal or an unknown id is 404', async () => {
      const orderId = ops.shop.orders.createOrder({ total: '5.00', currency: 'EUR', payment_method: 'payrelay' });
      ops.shop.faults.add({ path: /\/orders\//, fault: { kind: 'bad_gateway' }, count: 1000 });
      await ops.signed('POST', '/v1/diagnostics/test-event', { order_id: orderId });
      ops.shop.faults.clear();
      const open = (await ops.signed('GET', '/v1/alerts')).body.alerts as Array<{ id: number; order_id: string }>;
      const alert = open.find((a) => a.order_id === orderId)!;
      expect(alert).toBeDefined();

      expect(await ops.signed('POST', `/v1/alerts/${alert.id}/resolve`, {})).toEqual({ status: 200, body: { resolved: true, id: alert.id } });
      const after = (await ops.signed('GET', '/v1/alerts')).body.alerts as Array<{ id: number }>;
      expect(after.map((a) => a.id)).not.toContain(alert.id);
      expect(after).toHaveLength(open.length - 1);
      // The order's payment log keeps the dismissal, with what the alert said.
      const dismissals = ops.relay.stores.log.listByOrder(orderId).filter((entry) => entry.kind === 'alert');
      expect(dismissals).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^Alert dismissed in the plugin's diagnostics: Order .* was NOT updated/), data: expect.objectContaining({ alertId: alert.id, code: 'dead_letter' }) }),
      ]);
      expect(await ops.signed('POST', `/v1/alerts/${alert.id}/resolve`, {})).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(ops.relay.stores.log.listByOrder(orderId).filter((entry) => entry.kind === 'alert')).toHaveLength(1);
      expect(await ops.signed('POST', '/v1/alerts/abc/resolve', {})).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
      expect((await ops.signed('POST', `/v1/alerts/${alert.id}/resolve`, {}, { unsigned: true })).status).toBe(401);
    });
  });

  describe('POST /v1/diagnostics/test-event', () => {
    it('travels received → stored → outbox → shop_written and leaves exactly one test note', async () => {
      const orderId = ops.shop.orders.createOrder({ total: '5.00', currency: 'EUR', payment_method: 'payrelay' });
      const answer = await ops.signed('POST', '/v1/diagnostics/test-event', { order_id: orderId });
      expect(answer.status).toBe(200);
      expect(answer.body.ok).toBe(true);
      expect(answer.body.stages.map((s: { stage: string; ok: boolean }) => [s.stage, s.ok])).toEqual([
        ['received', true],
        ['stored', true],
        ['outbox', true],
        ['shop_written', true],
      ]);
      expect(testNotes(orderId)).toHaveLength(1);
      expect(testNotes(orderId)[0].note).toMatch(/Nothing else was changed\. \[Payrelay ref diagnostics:test-\d+\]$/);
      // A test event changes nothing else on the order.
      expect(ops.shop.orders.getOrder(orderId)?.status).toBe('pending');
    });

    it.each<[string, (ops: OpsRelay) => Promise<void> | void, RegExp]>([
      ['PHP is down (nginx 502 on every call)', (o) => o.shop.faults.add({ path: /\/orders\//, fault: { kind: 'bad_gateway' }, count: 1000 }), /502/],
      ['the connection drops', (o) => o.shop.faults.add({ path: /\/orders\//, fault: { kind: 'drop' }, count: 1000 }), /connection to WooCommerce failed|No answer from WooCommerce/],
      ['the shop is switched off', (o) => o.shop.close(), /connection to WooCommerce failed|No answer from WooCommerce/],
    ])('%s: the outbox stage fails with the reason', async (_name, breakShop, reason) => {
      const orderId = ops.shop.orders.createOrder({ total: '5.00', currency: 'EUR', payment_method: 'payrelay' });
      await breakShop(ops);
      const answer = await ops.signed('POST', '/v1/diagnostics/test-event', { order_id: orderId });
      expect(answer.status).toBe(200);
      expect(answer.body.ok).toBe(false);
      const stages = answer.body.stages as Array<{ stage: string; ok: boolean; detail: string }>;
      expect(stages.map((s) => [s.stage, s.ok])).toEqual([
        ['received', true],
        ['stored', true],
        ['outbox', false],
      ]);
      expect(stages[2].detail).toMatch(/^the worker could not write to the shop: /);
      expect(stages[2].detail).toMatch(reason);
    });

    it('a missing or malformed order_id is a 400 naming the field', async () => {
      for (const body of [{}, { order_id: 'no spaces allowed' }]) {
        const answer = await ops.signed('POST', '/v1/diagnostics/test-event', body);
        expect(answer.status).toBe(400);
        expect(answer.body.error).toMatchObject({ code: 'invalid_request', details: [expect.stringContaining('order_id')] });
      }
    });
  });

  describe('POST /v1/orders/:id/check', () => {
    it('open before payment, paid (and no longer open) after, asking the provider', async () => {
      const { orderId, session } = await ops.checkout('12.34');
      const before = await ops.signed('POST', `/v1/orders/${orderId}/check`);
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ order_id: orderId, paid: false, open: true, sessions: [{ session_id: session.session_id, provider: 'sandbox', checked: 'provider' }] });

      await ops.choose(session.checkout_url, 'pay');
      const after = await ops.signed('POST', `/v1/orders/${orderId}/check`);
      expect(after.body).toMatchObject({ order_id: orderId, status: 'paid', paid: true, open: false, sessions: [{ status: 'paid', checked: 'relay' }] });
      await eventually('the order to be processing', () => (ops.shop.orders.getOrder(orderId)?.status === 'processing' ? true : undefined));
    });

    it('declined: neither paid nor open, so the shop may cancel', async () => {
      const { orderId, session } = await ops.checkout();
      await ops.choose(session.checkout_url, 'decline');
      const answer = await ops.signed('POST', `/v1/orders/${orderId}/check`);
      expect(answer.body).toMatchObject({ status: 'failed', paid: false, open: false });
    });

    it('an order the relay never saw: status none', async () => {
      const answer = await ops.signed('POST', '/v1/orders/99999/check');
      expect(answer.body).toEqual({ order_id: '99999', status: 'none', paid: false, open: false, sessions: [] });
    });

    it('takes every order id a session can be created for (order-number plugins use dots), and refuses others', async () => {
      const dotted = await ops.signed('POST', '/v1/orders/WC-2026.14/check');
      expect(dotted).toMatchObject({ status: 200, body: { order_id: 'WC-2026.14', status: 'none' } });
      const bad = await ops.signed('POST', '/v1/orders/a%20b/check');
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    });

    it('is signed like the rest', async () => {
      const answer = await ops.signed('POST', '/v1/orders/14/check', undefined, { unsigned: true });
      expect(answer.status).toBe(401);
    });
  });

  describe('GET /v1/sessions/:id/status?token=', () => {
    it('answers the status and a shopper message, and nothing personal', async () => {
      const { orderId, session } = await ops.checkout();
      const response = await fetch(`${ops.relay.url}/v1/sessions/${session.session_id}/status?token=${encodeURIComponent(session.status_token)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['expires_at', 'final', 'message', 'session_id', 'status']);
      expect(body).toMatchObject({ session_id: session.session_id, status: 'created', final: false });
      // The id is random, not derived from the order; blanked out below with the time, since random hex
      // and timestamps may contain digits such as "1999" by chance.
      expect(body.session_id).toMatch(/^ps_[0-9a-f]{24}$/);
      expect(body.session_id).not.toBe(`ps_${orderId}`);
      const text = JSON.stringify({ ...body, session_id: '', expires_at: '' });
      for (const personal of ['ops.person@example.com', '"NL"', 'wc_order_ops_', 'order', 'amount', '1999', 'customer', 'email']) {
        expect(text).not.toContain(personal);
      }
    });

    it('a wrong or missing token looks like an unknown session', async () => {
      const { session } = await ops.checkout();
      const wrong = await fetch(`${ops.relay.url}/v1/sessions/${session.session_id}/status?token=st_wrong`);
      expect(wrong.status).toBe(404);
      const unknown = await fetch(`${ops.relay.url}/v1/sessions/ps_unknown/status?token=${encodeURIComponent(session.status_token)}`);
      expect(unknown.status).toBe(404);
      expect(await wrong.json()).toEqual(await unknown.json());
      const missing = await fetch(`${ops.relay.url}/v1/sessions/${session.session_id}/status`);
      expect(missing.status).toBe(400);
    });
  });
});
