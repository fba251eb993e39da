import fs from 'node:fs';
import path from 'node:path';
import { orderBucket } from '../../relay/src/domain/order-bucket';
import { DEFAULT_HEALTH_POLICY } from '../../relay/src/domain/provider-health';
import { startE2E, type E2E } from '../helpers/e2e-relay';
import { PROVIDER_FIXTURES, signStripe } from '../helpers/provider-signers';

/**
 * Issue 11, routing that learns: the real relay over HTTP with the Stripe stand-in (official SDK) first for
 * cards and the sandbox as fallback. Stripe starts failing; after 3 of its last 9 card payments in NL failed it
 * is moved down, while its circuit breaker (5 in a row, or half of at least 10) is still closed. Time moves only
 * through the manual clock.
 */
const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_standin_0000000000';
const stripeEventFixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'stripe', 'events', 'composed-from-openapi-fixtures', `${name}.json`), 'utf8'));

describe('health-aware routing: traffic leaves a failing provider before its breaker opens', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(() => e.close());

  const probes = (orderId: string) => orderBucket('probe:stripe', orderId, 100) < DEFAULT_HEALTH_POLICY.probePercent;
  const pay = async (orderId: string) => {
    const answer = await e.createSession(orderId);
    expect(answer.status).toBe(201);
    return answer.json.provider as string;
  };
  /** What the plugin may offer for a Dutch card payment: an open breaker would take Stripe out of this list. */
  const cardProviders = async () => {
    const answer = await e.shopCall('GET', '/v1/methods?currency=EUR&country=NL&amount=1999');
    return answer.json.methods.find((m: { method: string }) => m.method === 'card') as { providers: string[]; skipped: Array<{ provider: string; reason: string }> };
  };

  it('moves Stripe down after 3 failures in 9, keeps probing it with about 5 % of orders, and takes it back once it recovers', async () => {
    for (let i = 0; i < 6; i += 1) expect(await pay(e.newOrder())).toBe('stripe');
    e.stripe.always({ kind: 'server_error' });
    // Each falls back to the sandbox. 1 of 7 and 2 of 8 leave Stripe first; 3 of 9 crosses 30 %.
    for (let i = 0; i < 3; i += 1) {
      expect(await pay(e.newOrder())).toBe('sandbox');
      e.h.clock.advance(1000);
    }
    const callsWhenDegraded = e.stripe.createCalls.length;
    expect(callsWhenDegraded).toBe(9);
    // The breaker has not opened (3 in a row, 3 of 9 calls): Stripe is still offered.
    expect((await cardProviders()).providers).toEqual(['stripe', 'sandbox']);

    // From now on the sandbox goes first, except for the orders that probe Stripe. Those probes fail too, and two
    // more failures make five in a row: then the breaker opens and takes Stripe out altogether.
    const orders = Array.from({ length: 40 }, () => e.newOrder());
    let inARow = 3;
    for (const orderId of orders) {
      const calls = e.stripe.createCalls.length;
      expect(await pay(orderId)).toBe('sandbox');
      const probed = probes(orderId) && inARow < 5;
      expect(e.stripe.createCalls.length - calls).toBe(probed ? 1 : 0);
      if (probed) inARow += 1;
    }
    expect(orders.filter(probes).length).toBeLessThan(orders.length * 0.15);
    expect(inARow).toBe(5);
    expect((await cardProviders()).skipped).toEqual([{ provider: 'stripe', reason: expect.stringMatching(/^circuit open \(5 failures in a row\)/) }]);

    expect(probes(orders[0])).toBe(false);
    const timeline = await e.timeline(orders[0]);
    expect(timeline.entries.map((entry) => entry.kind)).toEqual(['routing_decision', 'provider_selected', 'session_created', 'customer_redirected']);
    expect(timeline.entries[0]).toMatchObject({ provider: 'stripe', message: 'Stripe moved down: 3 of the last 9 card payments in NL failed at Stripe (3 errors)' });
    expect(timeline.entries[1]).toMatchObject({ provider: 'sandbox', message: 'Payrelay Sandbox chosen by rule "cards: Stripe first, the sandbox as fallback" (candidate 1 of 2)' });

    // Stripe recovers; its failures age out of the window (30 minutes) and it is first again.
    e.stripe.recover();
    e.h.clock.advance(DEFAULT_HEALTH_POLICY.maxAgeMs);
    const later = e.newOrder();
    expect(await pay(later)).toBe('stripe');
    const laterKinds = (await e.timeline(later)).entries.map((entry) => entry.kind);
    // An empty or failed timeline would pass the not.toContain alone.
    expect(laterKinds).toEqual(['provider_selected', 'session_created', 'customer_redirected']);
    expect(laterKinds).not.toContain('routing_decision');
  });

  it('a probe order tries Stripe first and says why; a retry of the same order is routed the same way', async () => {
    for (let i = 0; i < 5; i += 1) expect(await pay(e.newOrder())).toBe('stripe');
    e.stripe.always({ kind: 'server_error' });
    for (let i = 0; i < 3; i += 1) expect(await pay(e.newOrder())).toBe('sandbox');
    // Orders until one falls into the probe share (the shop numbers them; the share is fixed by the number).
    let probeOrder = e.newOrder();
    while (!probes(probeOrder)) probeOrder = e.newOrder();
    const before = e.stripe.createCalls.length;
    expect(await pay(probeOrder)).toBe('sandbox');
    expect(e.stripe.createCalls.length).toBe(before + 1);
    const entries = (await e.timeline(probeOrder)).entries;
    expect(entries[0]).toMatchObject({ kind: 'routing_decision', provider: 'stripe', message: expect.stringMatching(/^Stripe kept in its place to probe it \(\d of the last \d+ card payments in NL failed at Stripe .*; 5% of orders keep trying it\)$/) });
    expect(entries[1]).toMatchObject({ kind: 'provider_selected', provider: 'stripe' });

    // The customer tries again: the same order probes again (stable per order id).
    expect(await pay(probeOrder)).toBe('sandbox');
    expect(e.stripe.createCalls.length).toBe(before + 2);
  });

  /** Stripe's signed payment_intent.payment_failed for a session of ours, with the given error (https://docs.stripe.com/error-codes). */
  const declineAtStripe = async (sessionId: string, eventId: string, lastPaymentError: Record<string, string>) => {
    const session = e.session(sessionId);
    const event = stripeEventFixture('payment_intent.payment_failed');
    event.id = eventId;
    event.created = Math.floor(e.h.clock.now() / 1000);
    Object.assign(event.data.object, {
      id: `pi_${eventId}`,
      amount: session.amountMinor,
      currency: session.currency.toLowerCase(),
      metadata: { payrelay_session_id: sessionId, payrelay_order_id: session.merchantOrderId },
      last_payment_error: lastPaymentError,
    });
    const body = JSON.stringify(event);
    expect((await e.h.post(body, signStripe(STRIPE_WEBHOOK_SECRET, body, e.h.clock.now()), 'stripe')).status).toBe(200);
  };
  const routingNotes = async (orderId: string) => (await e.timeline(orderId)).entries.filter((entry) => entry.kind === 'routing_decision').map((entry) => entry.message);

  it("declines by the customer's bank leave Stripe first; declines Stripe caused move it down, each counted once", async () => {
    const sessions: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const answer = await e.createSession(e.newOrder());
      expect(answer.json.provider).toBe('stripe');
      sessions.push(answer.json.session_id);
    }
    for (const [i, sessionId] of sessions.slice(0, 4).entries()) {
      await declineAtStripe(sessionId, `evt_bank_${i}`, { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    }
    let next = e.newOrder();
    expect(await pay(next)).toBe('stripe');
    expect(await routingNotes(next)).toEqual([]);

    const processingError = { type: 'card_error', code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' };
    await declineAtStripe(sessions[4], 'evt_processing_0', processingError);
    await declineAtStripe(sessions[5], 'evt_processing_1', processingError);
    // Stripe delivers the second one again: the duplicate changes nothing, here either (2 of 10 is not degraded).
    await declineAtStripe(sessions[5], 'evt_processing_1', processingError);
    next = e.newOrder();
    expect(probes(next)).toBe(false);
    expect(await pay(next)).toBe('stripe');
    expect(await routingNotes(next)).toEqual([]);

    await declineAtStripe(sessions[6], 'evt_processing_2', processingError);
    next = e.newOrder();
    expect(probes(next)).toBe(false);
    expect(await pay(next)).toBe('sandbox');
    expect(await routingNotes(next)).toEqual(['Stripe moved down: 3 of the last 10 card payments in NL failed at Stripe (3 declines by the provider)']);
  });
});
