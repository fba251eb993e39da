import fs from 'node:fs';
import path from 'node:path';
import { STALE_AFTER_MINUTES, startE2E, type E2E } from '../helpers/e2e-relay';
import { PROVIDER_FIXTURES, signStripe } from '../helpers/provider-signers';

const STRIPE_SECRET = 'whsec_e2e_standin_0000000000';
const COMPOSED = path.join(PROVIDER_FIXTURES, 'stripe', 'events', 'composed-from-openapi-fixtures');
const MINUTE = 60_000;

/**
 * Issue 12, items 1 and 2, end to end: signed Stripe webhooks (recorded fixtures) into the real relay over HTTP,
 * the Stripe API stand-in answering its polls, the WooCommerce stand-in as the shop. A review or a dispute is a
 * hold that only the provider's verdict (or a person) ends; a poll may confirm money, never release the hold.
 */
describe('reviews and disputes: holds only a verdict ends', () => {
  let e: E2E;
  let tick = 0;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(async () => {
    await e.close();
  });

  /** A recorded Stripe event with the fields this session needs, signed now, POSTed to /webhooks/stripe. */
  async function stripeEvent(file: string, object: Record<string, unknown>, type?: string): Promise<{ status: number; body: any }> {
    const event = JSON.parse(fs.readFileSync(path.join(COMPOSED, file), 'utf8')) as Record<string, any>;
    if (type) event.type = type;
    tick += 1;
    event.id = `evt_e2e_${tick}_${Math.random().toString(36).slice(2, 8)}`;
    // Each event a second after the one before, by Stripe's clock.
    event.created = Math.floor(e.h.clock.now() / 1000) + tick;
    event.data.object = { ...event.data.object, ...object };
    const body = JSON.stringify(event);
    return e.h.post(body, signStripe(STRIPE_SECRET, body, e.h.clock.now()), 'stripe');
  }

  /** A card order paid through Stripe Checkout (the stand-in's session, then its signed completed webhook). */
  async function paidStripeOrder(): Promise<{ orderId: string; sessionId: string; stripeSessionId: string; pi: string }> {
    const orderId = e.newOrder(1999);
    const created = await e.createSession(orderId, { method: 'card' });
    expect(created.json.provider).toBe('stripe');
    const sessionId: string = created.json.session_id;
    const stripeSessionId = e.session(sessionId).providerSessionId!;
    const pi = `pi_e2e_${tick}_${Math.random().toString(36).slice(2, 8)}`;
    const completed = await stripeEvent('checkout.session.completed.json', {
      id: stripeSessionId,
      client_reference_id: orderId,
      metadata: { payrelay_session_id: sessionId, payrelay_order_id: orderId },
      payment_intent: pi,
      amount_total: 1999,
      currency: 'eur',
    });
    expect(completed.body.results[0]).toMatchObject({ outcome: 'applied', status: 'paid' });
    await e.h.drain();
    expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
    return { orderId, sessionId, stripeSessionId, pi };
  }

  /** What Stripe's API answers for the Checkout Session from now on. */
  function stripeShows(stripeSessionId: string, pi: string, latestCharge: Record<string, unknown> | null): void {
    const session = e.stripe.sessions.get(stripeSessionId)!;
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: { id: pi, object: 'payment_intent', status: 'succeeded', latest_charge: latestCharge } });
  }

  const dispute = (pi: string, over: Record<string, unknown> = {}) => ({ payment_intent: pi, amount: 1999, currency: 'eur', reason: 'fraudulent', ...over });
  const ignoredMessages = async (orderId: string) => (await e.timeline(orderId)).entries.filter((entry) => entry.kind === 'webhook_ignored').map((entry) => entry.message);

  describe('a review', () => {
    it('a status poll never clears a review: reconciliation and "check payment" read the session as paid and leave the order on hold', async () => {
      const { orderId, sessionId, stripeSessionId, pi } = await paidStripeOrder();
      expect((await stripeEvent('review.opened.json', { payment_intent: pi })).body.results[0]).toMatchObject({ outcome: 'applied', status: 'review' });
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');

      // Stripe's Checkout Session says paid, as it does while Radar holds the charge.
      stripeShows(stripeSessionId, pi, null);
      e.h.clock.advance((STALE_AFTER_MINUTES + 1) * MINUTE);
      expect(await e.h.relay.runReconcile()).toMatchObject({ lookedUp: 1, repaired: 0 });
      const check = await e.shopCall('POST', `/v1/orders/${orderId}/check`);
      expect(check.json).toMatchObject({ status: 'review', paid: false, sessions: [{ session_id: sessionId, status: 'review', checked: 'provider' }] });
      await e.h.drain();

      expect(e.session(sessionId).status).toBe('review');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
      expect(e.h.ourNotes(orderId)).toHaveLength(2);
      expect(await ignoredMessages(orderId)).toContain(
        "Stripe was asked and showed paid (checkout.session.sync) but the payment is held for review: only Stripe's own decision on the review (or a person in the shop) releases it, so the order stays on hold.",
      );

      // Stripe's verdict does release it.
      expect((await stripeEvent('review.closed.json', { payment_intent: pi })).body.results[0]).toMatchObject({ outcome: 'applied', status: 'paid' });
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
      expect(e.h.ourNotes(orderId)[2]).toContain('Review cleared at Stripe');
    });

    it("a poll reads the charge's review: a session Stripe shows paid but held is put on hold, not marked paid", async () => {
      const orderId = e.newOrder(1999);
      const created = await e.createSession(orderId, { method: 'card' });
      const sessionId: string = created.json.session_id;
      const stripeSessionId = e.session(sessionId).providerSessionId!;
      // Every webhook was lost; Stripe shows the session paid and its charge under an open Radar review.
      stripeShows(stripeSessionId, 'pi_e2e_held', { id: 'ch_e2e_held', object: 'charge', amount: 1999, amount_refunded: 0, disputed: false, review: { id: 'prv_e2e', object: 'review', open: true } });
      e.h.clock.advance((STALE_AFTER_MINUTES + 1) * MINUTE);
      expect(await e.h.relay.runReconcile()).toMatchObject({ lookedUp: 1, repaired: 1 });
      await e.h.drain();
      expect(e.session(sessionId).status).toBe('review');
      const order = e.h.shop.orders.getOrder(orderId)!;
      expect(order.status).toBe('on-hold');
      expect(order.datePaid).toBeNull();
      expect(e.h.ourNotes(orderId)).toEqual([expect.stringContaining('Stripe Radar holds the payment for review')]);
    });
  });

  describe('a dispute', () => {
    it('a dispute puts the order on hold with a note support can act on: amount, reason, deadline, where to respond', async () => {
      const { orderId, sessionId, pi } = await paidStripeOrder();
      const opened = await stripeEvent('charge.dispute.created.json', dispute(pi));
      expect(opened.body.results[0]).toMatchObject({ outcome: 'applied', status: 'review' });
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
      expect(e.session(sessionId)).toMatchObject({ status: 'review', disputedFrom: 'paid' });
      expect(e.h.ourNotes(orderId)[1]).toMatch(
        /^Dispute opened at Stripe: the customer's bank disputes 19\.99 EUR \(reason: fraudulent\), dispute dp_1Pgc71B7WZ01zgkWMevJiAUx, payment pi_e2e_\w+\. Respond by 2024-08-14 23:59 UTC with evidence in the Stripe Dashboard \(Payments → Disputes\), or accept it there\. Do not ship until it is resolved\./,
      );
    });

    it("a won dispute restores the order's status", async () => {
      const { orderId, sessionId, pi } = await paidStripeOrder();
      await stripeEvent('charge.dispute.created.json', dispute(pi));
      await e.h.drain();
      // A late paid while disputed changes nothing; a poll that sees the session paid does not either.
      expect((await stripeEvent('checkout.session.completed.json', { id: e.session(sessionId).providerSessionId, metadata: { payrelay_session_id: sessionId }, payment_intent: pi, amount_total: 1999, currency: 'eur' })).body.results[0]).toMatchObject({ outcome: 'ignored' });
      const won = await stripeEvent('charge.dispute.closed.json', dispute(pi, { status: 'won' }));
      expect(won.body.results[0]).toMatchObject({ outcome: 'applied', status: 'paid' });
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
      expect(e.session(sessionId).disputedFrom).toBeNull();
      expect(e.h.ourNotes(orderId)).toHaveLength(3);
      expect(e.h.ourNotes(orderId)[2]).toContain('Dispute won at Stripe: the bank decided for the shop and the 19.99 EUR stay paid');
      expect(e.h.shop.orders.refunds(orderId)).toEqual([]);
    });

    it('a lost dispute records the money as gone: a refund record marked chargeback, the order refunded; a late paid changes nothing', async () => {
      const { orderId, sessionId, pi } = await paidStripeOrder();
      await stripeEvent('charge.dispute.created.json', dispute(pi));
      await e.h.drain();
      const lost = await stripeEvent('charge.dispute.closed.json', dispute(pi));
      expect(lost.body.results[0]).toMatchObject({ outcome: 'applied', status: 'refunded' });
      await e.h.drain();

      const order = e.h.shop.orders.getOrder(orderId)!;
      expect(order.status).toBe('refunded');
      const refunds = e.h.shop.orders.refunds(orderId);
      expect(refunds).toHaveLength(1);
      expect(refunds[0]).toMatchObject({ amount: '19.99', reason: expect.stringContaining('Chargeback at Stripe: the dispute was lost') });
      expect(e.h.ourNotes(orderId)[2]).toContain('The money is gone: Payrelay recorded it as a refund marked chargeback and the order is refunded.');
      expect(e.session(sessionId)).toMatchObject({ status: 'refunded', chargedBackMinor: 1999, refundedMinor: 0 });

      // A late paid (another event id for the same payment) after the lost dispute changes nothing.
      const notes = e.h.ourNotes(orderId).length;
      const late = await stripeEvent('checkout.session.completed.json', { id: e.session(sessionId).providerSessionId, metadata: { payrelay_session_id: sessionId }, payment_intent: pi, amount_total: 1999, currency: 'eur' });
      expect(late.body.results[0]).toMatchObject({ outcome: 'ignored', status: 'refunded' });
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('refunded');
      expect(e.h.ourNotes(orderId)).toHaveLength(notes);
      expect(e.h.shop.orders.refunds(orderId)).toHaveLength(1);
    });

    it('funds reinstated after the dispute was recorded as lost: the money is back, the refunded order goes on hold with one note', async () => {
      const { orderId, sessionId, pi } = await paidStripeOrder();
      await stripeEvent('charge.dispute.created.json', dispute(pi));
      await stripeEvent('charge.dispute.closed.json', dispute(pi));
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('refunded');

      const back = await stripeEvent('charge.dispute.closed.json', dispute(pi, { status: 'won' }), 'charge.dispute.funds_reinstated');
      expect(back.body.results[0]).toMatchObject({ outcome: 'applied', status: 'review' });
      await e.h.drain();
      // Closed as won afterwards: the same money, no second note.
      await stripeEvent('charge.dispute.closed.json', dispute(pi, { status: 'won' }));
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
      const notes = e.h.ourNotes(orderId);
      expect(notes).toHaveLength(4);
      expect(notes[3]).toContain("Chargeback reversed at Stripe: the customer's bank gave back 19.99 EUR");
      expect(notes[3]).toContain('Decide: ship it (set it to processing), or refund the customer.');
      expect(e.session(sessionId)).toMatchObject({ status: 'review', chargedBackMinor: 0 });
    });

    it('a dispute lost for part of the amount: that part recorded as a chargeback, the rest stays paid and the hold ends', async () => {
      const { orderId, pi } = await paidStripeOrder();
      await stripeEvent('charge.dispute.created.json', dispute(pi, { amount: 500 }));
      await stripeEvent('charge.dispute.closed.json', dispute(pi, { amount: 500 }));
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
      expect(e.h.shop.orders.refunds(orderId).map((r) => r.amount)).toEqual(['5.00']);
      expect(e.h.ourNotes(orderId)[2]).toContain('14.99 EUR of 19.99 EUR stay paid');
    });

    it('the same dispute delivered twice: one hold, one note, one refund record', async () => {
      const { orderId, pi } = await paidStripeOrder();
      const body = JSON.parse(fs.readFileSync(path.join(COMPOSED, 'charge.dispute.closed.json'), 'utf8'));
      body.created = Math.floor(e.h.clock.now() / 1000);
      body.data.object = { ...body.data.object, ...dispute(pi) };
      const raw = JSON.stringify(body);
      const answers = await Promise.all([1, 2, 3].map(() => e.h.post(raw, signStripe(STRIPE_SECRET, raw, e.h.clock.now()), 'stripe')));
      expect(answers.map((a) => a.body.results[0].outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
      await e.h.drain();
      expect(e.h.shop.orders.refunds(orderId)).toHaveLength(1);
      expect(e.h.ourNotes(orderId)).toHaveLength(2);
    });
  });
});
