import fs from 'node:fs';
import path from 'node:path';
import { providerIdempotencyKey } from '../../relay/src/app/create-session';
import { startE2E, type E2E } from '../helpers/e2e-relay';
import type { StripeFault } from '../helpers/e2e-stripe-stand-in';
import { PROVIDER_FIXTURES, signStripe } from '../helpers/provider-signers';

const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_standin_0000000000';
const stripeEventFixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'stripe', 'events', 'composed-from-openapi-fixtures', `${name}.json`), 'utf8'));

/**
 * Issue 3, "How to prove it", end to end: the real relay over HTTP (port 0, a SQLite file), the real Stripe
 * adapter (official SDK) talking to a Stripe stand-in that fails on purpose, the sandbox provider with its hosted
 * checkout page, and the WooCommerce stand-in. Time moves only through the ManualClock.
 */
describe('issue 3 end to end: routing, fallback, breaker, idempotency, late and double payments', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(async () => {
    await e.close();
  });

  const kinds = (entries: Array<{ kind: string }>) => entries.map((entry) => entry.kind);

  describe('card route fails over to the second provider', () => {
    it('Stripe answers 500: the session is created at the sandbox, and the payment log shows the failed attempt, the reason and the chosen provider', async () => {
      const orderId = e.newOrder(2500);
      e.stripe.fail({ kind: 'server_error' });

      const answer = await e.createSession(orderId);

      expect(answer.status).toBe(201);
      expect(answer.json).toMatchObject({ provider: 'sandbox', status: 'created', checkout_url: `${e.h.relay.url}/sandbox/checkout/${answer.json.session_id}` });
      // Stripe really was called, by the official SDK, with the order and a stable idempotency key.
      expect(e.stripe.createCalls).toHaveLength(1);
      expect(e.stripe.createCalls[0]).toMatchObject({
        answer: 'server_error',
        idempotencyKey: providerIdempotencyKey(orderId, 1, 'stripe'),
        authorization: 'Bearer sk_test_e2e_standin_0000000000',
        form: { client_reference_id: orderId, metadata: { payrelay_order_id: orderId, payrelay_session_id: answer.json.session_id } },
      });
      expect(e.stripe.sessions.size).toBe(0);

      const timeline = await e.timeline(orderId);
      expect(timeline.sessions).toEqual([expect.objectContaining({ session_id: answer.json.session_id, provider: 'sandbox', status: 'created', amount: 2500 })]);
      expect(kinds(timeline.entries)).toEqual(['provider_selected', 'provider_attempt_failed', 'provider_selected', 'session_created', 'customer_redirected']);
      const [firstChoice, failed, chosen] = timeline.entries;
      expect(firstChoice).toMatchObject({ provider: 'stripe', message: 'Stripe chosen by rule "cards: Stripe first, the sandbox as fallback" (candidate 1 of 2)' });
      expect(failed.provider).toBe('stripe');
      expect(failed.message).toMatch(/^Stripe failed \(server_error: provider error 500: Sorry, something went wrong.*\); trying the next provider$/);
      expect(chosen).toMatchObject({ provider: 'sandbox', message: 'Payrelay Sandbox chosen by rule "cards: Stripe first, the sandbox as fallback" (candidate 2 of 2)' });

      // The shopper can pay at the fallback: the sandbox page is served and the order ends up paid.
      expect((await fetch(answer.json.checkout_url)).status).toBe(200);
      expect(await e.click(answer.json.session_id, 'pay')).toBe(303);
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
    });

    const faults: Array<[string, StripeFault, RegExp]> = [
      // stripe-node gives no status code for a body that is not JSON, so the reason names the parse failure.
      ['an HTML 503 from an edge proxy', { kind: 'unavailable' }, /Invalid JSON received from the Stripe API/],
      ['a Stripe 429 rate limit', { kind: 'rate_limited' }, /rate_limited: provider rate limit: Too many requests.*\(rate_limit\)/],
      ['a connection dropped twice (the SDK retries once)', { kind: 'drop' }, /network: provider unreachable/],
      ['"payment method not activated" (this account cannot take the payment)', { kind: 'unsupported' }, /unsupported_payment: provider cannot take this payment: .*not activated.*\(payment_method_unactivated\)/],
    ];
    it.each(faults)('Stripe fails with %s: falls back to the sandbox with that reason in the log', async (_name, fault, reason) => {
      const orderId = e.newOrder();
      const times = fault.kind === 'drop' ? 2 : 1;
      for (let i = 0; i < times; i += 1) e.stripe.fail(fault);
      const answer = await e.createSession(orderId);
      expect(answer.status).toBe(201);
      expect(answer.json.provider).toBe('sandbox');
      expect(e.stripe.createCalls.map((c) => c.answer)).toEqual(Array(times).fill(fault.kind));
      const failed = (await e.timeline(orderId)).entries.find((entry) => entry.kind === 'provider_attempt_failed')!;
      expect(failed.message).toMatch(reason);
      expect(failed.message).toMatch(/trying the next provider$/);
    });

    it('an answer lost after Stripe created the session: the retry carries the same idempotency key, so Stripe keeps one session', async () => {
      const orderId = e.newOrder();
      e.stripe.fail({ kind: 'create_then_drop' });
      const answer = await e.createSession(orderId);
      expect(answer).toMatchObject({ status: 201, json: { provider: 'stripe' } });
      expect(e.stripe.createCalls.map((c) => c.answer)).toEqual(['create_then_drop', 'replayed']);
      expect(new Set(e.stripe.createCalls.map((c) => c.idempotencyKey))).toEqual(new Set([providerIdempotencyKey(orderId, 1, 'stripe')]));
      expect(e.stripe.sessions.size).toBe(1);
      expect(e.session(answer.json.session_id).providerSessionId).toBe([...e.stripe.sessions.keys()][0]);
    });

    it('when every provider of the route fails, the answer says so clearly: 503 with the reasons and Retry-After', async () => {
      const orderId = e.newOrder();
      e.stripe.fail({ kind: 'server_error' });
      const answer = await e.createSession(orderId, { method: 'bank_transfer' });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('30');
      expect(answer.json.error.code).toBe('providers_unavailable');
      expect(answer.json.error.message).toMatch(/^Every provider that could take the bank transfer payment of 19.99 EUR .* is failing right now; try again shortly/);
      expect(answer.json.error.details).toEqual([expect.stringMatching(/^Stripe: server_error: provider error 500/)]);
      expect(e.h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(0);
      expect(kinds((await e.timeline(orderId)).entries)).toEqual(['provider_selected', 'provider_attempt_failed', 'error']);
    });

    it('a payment no rule offers gets 422 no_provider_available, and no provider is called', async () => {
      const orderId = e.newOrder();
      const answer = await e.createSession(orderId, { method: 'crypto' });
      expect(answer.status).toBe(422);
      expect(answer.json.error.code).toBe('no_provider_available');
      expect(answer.json.error.message).toMatch(/No routing rule matches a crypto payment .*; the shop should offer its other payment methods/);
      expect(e.stripe.createCalls).toHaveLength(0);
    });
  });

  describe('the circuit breaker', () => {
    it('opens after 5 failures in a row: later sessions skip Stripe without calling it; closes after the cool-down when Stripe recovers', async () => {
      e.stripe.always({ kind: 'server_error' });
      for (let i = 0; i < 5; i += 1) {
        const answer = await e.createSession(e.newOrder());
        expect(answer).toMatchObject({ status: 201, json: { provider: 'sandbox' } });
      }
      expect(e.stripe.createCalls).toHaveLength(5);

      // Open: the next sessions go straight to the sandbox; the stand-in sees no call.
      const whileOpen = e.newOrder();
      expect((await e.createSession(whileOpen)).json.provider).toBe('sandbox');
      e.h.clock.advance(20_000);
      expect((await e.createSession(e.newOrder())).json.provider).toBe('sandbox');
      expect(e.stripe.createCalls).toHaveLength(5);
      const skipped = (await e.timeline(whileOpen)).entries;
      expect(kinds(skipped)).toEqual(['provider_attempt_failed', 'provider_selected', 'session_created', 'customer_redirected']);
      expect(skipped[0]).toMatchObject({ provider: 'stripe', message: 'Stripe skipped: circuit open (5 failures in a row); next probe in 30 s' });
      expect(skipped[1].provider).toBe('sandbox');

      // Stripe recovers; after the 30 s cool-down one probe goes through, succeeds and closes the breaker.
      e.stripe.recover();
      e.h.clock.advance(10_000);
      const probe = e.newOrder();
      const probed = await e.createSession(probe);
      expect(probed).toMatchObject({ status: 201, json: { provider: 'stripe', checkout_url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_standin_/) } });
      expect(e.stripe.createCalls).toHaveLength(6);
      const afterwards = await e.createSession(e.newOrder());
      expect(afterwards.json.provider).toBe('stripe');
      expect(e.stripe.createCalls.map((c) => c.answer).slice(5)).toEqual(['created', 'created']);
      // Its recent failures would move Stripe down (issue 11); the breaker's probe keeps it in its place, and says so.
      const probeEntries = (await e.timeline(probe)).entries;
      expect(kinds(probeEntries)).toEqual(['routing_decision', 'provider_selected', 'session_created', 'customer_redirected']);
      expect(probeEntries[0].message).toBe("Stripe kept in its place for its circuit breaker's probe call (5 of the last 5 card payments in NL failed at Stripe (5 errors))");
    });

    it('a probe that fails opens it again for another cool-down', async () => {
      e.stripe.always({ kind: 'server_error' });
      for (let i = 0; i < 5; i += 1) await e.createSession(e.newOrder());
      e.h.clock.advance(30_000);
      const probe = await e.createSession(e.newOrder());
      expect(probe.json.provider).toBe('sandbox');
      expect(e.stripe.createCalls).toHaveLength(6);

      const next = e.newOrder();
      expect((await e.createSession(next)).json.provider).toBe('sandbox');
      expect(e.stripe.createCalls).toHaveLength(6);
      expect((await e.timeline(next)).entries[0].message).toBe('Stripe skipped: circuit open (the probe call failed); next probe in 30 s');
    });

    it('"cannot take this payment" answers do not open the breaker (Stripe is healthy, it just cannot take that one)', async () => {
      e.stripe.always({ kind: 'unsupported' });
      for (let i = 0; i < 6; i += 1) await e.createSession(e.newOrder());
      expect(e.stripe.createCalls).toHaveLength(6);
    });
  });

  describe('idempotent repeats', () => {
    it('the same Idempotency-Key and body returns the same session and creates nothing new at the provider', async () => {
      const orderId = e.newOrder();
      const first = await e.createSession(orderId, {}, 'wc-order-click-1');
      const again = await e.createSession(orderId, {}, 'wc-order-click-1');
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.json).toEqual(first.json);
      expect(first.json.provider).toBe('stripe');
      expect(e.stripe.createCalls).toHaveLength(1);
      expect(e.stripe.sessions.size).toBe(1);
      expect(e.h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(1);
    });

    it('a double click (two identical requests at once) gets one session', async () => {
      const orderId = e.newOrder();
      const [a, b] = await Promise.all([e.createSession(orderId, {}, 'dbl-click'), e.createSession(orderId, {}, 'dbl-click')]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.json.session_id).toBe(b.json.session_id);
      expect(e.stripe.createCalls).toHaveLength(1);
      expect(e.h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(1);
    });

    it('after a failover, the repeat returns the sandbox session and neither provider is called again', async () => {
      const orderId = e.newOrder();
      e.stripe.fail({ kind: 'server_error' });
      const first = await e.createSession(orderId, {}, 'retry-after-failover');
      const again = await e.createSession(orderId, {}, 'retry-after-failover');
      expect(first.json.provider).toBe('sandbox');
      expect(again.json).toEqual(first.json);
      expect(e.stripe.createCalls).toHaveLength(1);
      expect(e.h.relay.db.prepare('SELECT COUNT(*) AS n FROM sandbox_payments').get()).toEqual({ n: 1 });
    });

    it('the same key with a different body is refused (409), not silently answered with the old session', async () => {
      const orderId = e.newOrder(1999);
      await e.createSession(orderId, {}, 'reused-key');
      const changed = await e.createSession(orderId, { amount: 2999 }, 'reused-key');
      expect(changed.status).toBe(409);
      expect(changed.json.error.code).toBe('idempotency_conflict');
      expect(e.stripe.createCalls).toHaveLength(1);
    });
  });

  describe('late and double payments', () => {
    it('a payment after expiry: the order, left payable, is marked paid, with a note saying so', async () => {
      const orderId = e.newOrder();
      const created = await e.createSession(orderId, { method: 'wallet' });
      const sessionId = created.json.session_id;
      e.h.clock.advance(61 * 60_000);
      await e.h.relay.runExpiry();
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');
      expect(e.session(sessionId).status).toBe('expired');

      // The shopper still had the sandbox page open and pays anyway: the sandbox sends its paid webhook.
      expect(await e.click(sessionId, 'pay')).toBe(303);
      await e.h.drain();

      const order = e.h.shop.orders.getOrder(orderId)!;
      expect(order.status).toBe('processing');
      expect(order.transactionId).toBe(`sbx_pay_${sessionId}`);
      expect(e.session(sessionId).status).toBe('paid');
      const notes = e.h.ourNotes(orderId);
      expect(notes).toHaveLength(2);
      expect(notes[0]).toContain('expired before the customer paid');
      expect(notes[1]).toContain('Payment received at Payrelay Sandbox after the session was expired');
      expect(notes[1]).toContain('check stock before shipping');
      expect(kinds((await e.timeline(orderId)).entries)).toContain('status_changed');
    });

    it('a double payment: the second payment goes to review, the order on hold, an alert asks to refund one', async () => {
      const orderId = e.newOrder();
      const first = await e.createSession(orderId, { method: 'wallet' }, 'attempt-1');
      // The shopper comes back and starts again: a new session, and the first one is expired at the sandbox.
      const second = await e.createSession(orderId, { method: 'wallet' }, 'attempt-2');
      expect(second.json.session_id).not.toBe(first.json.session_id);
      expect(e.session(first.json.session_id).status).toBe('expired');
      expect(e.ledger.get(first.json.session_id)!.status).toBe('expired');

      // Pays on the new session, then on the old tab too (a payment on an old session still counts).
      await e.click(second.json.session_id, 'pay');
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
      await e.click(first.json.session_id, 'pay');
      await e.h.drain();

      expect(e.session(second.json.session_id).status).toBe('paid');
      expect(e.session(first.json.session_id).status).toBe('review');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
      const diagnostics = await e.shopCall('GET', '/v1/diagnostics');
      expect(diagnostics.status).toBe(200);
      expect(diagnostics.json.alerts).toEqual([
        expect.objectContaining({ order_id: orderId, code: 'double_payment', message: expect.stringContaining('refund one of the payments') }),
      ]);
      const notes = e.h.ourNotes(orderId);
      expect(notes).toHaveLength(2);
      expect(notes[1]).toMatch(/needs a look: the customer paid twice: this order was already paid by Payrelay Sandbox payment sbx_pay_\S+ \(session .*\), and now by .*; refund one of the two payments/);
    });

    it('a customer who comes back with another method: a new sandbox session, the old Stripe session expired at Stripe; a Stripe payment that still lands on it goes to review as a double payment', async () => {
      const orderId = e.newOrder(2500);
      const byCard = await e.createSession(orderId, { method: 'card' }, 'card-attempt');
      expect(byCard.json.provider).toBe('stripe');
      const stripeSessionId = e.session(byCard.json.session_id).providerSessionId!;

      const byWallet = await e.createSession(orderId, { method: 'wallet' }, 'wallet-attempt');
      expect(byWallet.json.provider).toBe('sandbox');
      expect(e.stripe.expired).toEqual([stripeSessionId]);
      expect(e.session(byCard.json.session_id).status).toBe('expired');
      const expiredEntry = (await e.timeline(orderId)).entries.find((entry) => entry.kind === 'session_expired')!;
      expect(expiredEntry.message).toContain('because the customer started a new attempt');

      await e.click(byWallet.json.session_id, 'pay');
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');

      // Stripe's checkout.session.completed for the old session arrives anyway (paid just before it was closed).
      const event = stripeEventFixture('checkout.session.completed');
      event.id = 'evt_e2e_late_completed';
      event.created = Math.floor(e.h.clock.now() / 1000);
      Object.assign(event.data.object, {
        ...e.stripe.sessions.get(stripeSessionId),
        status: 'complete',
        payment_status: 'paid',
        payment_intent: 'pi_e2e_paid_twice',
      });
      const body = JSON.stringify(event);
      const delivered = await e.h.post(body, signStripe(STRIPE_WEBHOOK_SECRET, body, e.h.clock.now()), 'stripe');
      expect(delivered.status).toBe(200);
      await e.h.drain();

      expect(e.session(byCard.json.session_id).status).toBe('review');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
      const alerts = (await e.shopCall('GET', '/v1/alerts')).json.alerts;
      expect(alerts).toEqual([expect.objectContaining({ order_id: orderId, session_id: byCard.json.session_id, code: 'double_payment' })]);
      const last = e.h.ourNotes(orderId).at(-1)!;
      expect(last).toContain('Payment of 25.00 EUR at Stripe needs a look');
      expect(last).toContain('and now by Stripe payment pi_e2e_paid_twice');
      expect(last).toContain('refund one of the two payments');
      expect(last).toContain('[Payrelay ref stripe:evt_e2e_late_completed]');
    });

    it('a live-mode Stripe event reaching this test-mode relay is acknowledged and written nowhere', async () => {
      const orderId = e.newOrder(2500);
      const byCard = await e.createSession(orderId, { method: 'card' }, 'card-live-event');
      const stripeSessionId = e.session(byCard.json.session_id).providerSessionId!;
      const event = stripeEventFixture('checkout.session.completed');
      event.id = 'evt_e2e_livemode';
      event.livemode = true;
      event.created = Math.floor(e.h.clock.now() / 1000);
      Object.assign(event.data.object, { ...e.stripe.sessions.get(stripeSessionId), status: 'complete', payment_status: 'paid', payment_intent: 'pi_e2e_live', livemode: true });
      const body = JSON.stringify(event);
      const delivered = await e.h.post(body, signStripe(STRIPE_WEBHOOK_SECRET, body, e.h.clock.now()), 'stripe');
      expect(delivered.status).toBe(200);
      expect(delivered.body.results[0]).toMatchObject({ outcome: 'ignored', status: 'created' });
      await e.h.drain();
      expect(e.session(byCard.json.session_id).status).toBe('created');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');
      expect(e.h.ourNotes(orderId)).toHaveLength(0);
      const ignored = (await e.timeline(orderId)).entries.find((entry) => entry.kind === 'webhook_ignored');
      expect(ignored?.message).toMatch(/live/i);
    });
  });
});
