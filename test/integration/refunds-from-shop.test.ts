import fs from 'node:fs';
import path from 'node:path';
import { LOST_REFUND_GRACE_MS } from '../../relay/src/domain/lost-refund';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import { startE2E, type E2E } from '../helpers/e2e-relay';
import { startPaypalHarness, TEST_PAYPAL_WEBHOOK_ID, type PaypalStandIn } from '../helpers/paypal-stand-in';
import { paidPaypalOrder } from '../helpers/paypal-refunds';
import { PROVIDER_FIXTURES, signPaypal } from '../helpers/provider-signers';
import { askRelayToRefund, recordShopRefund, type Harness } from '../helpers/relay-harness';

const WEBHOOK_ID = TEST_PAYPAL_WEBHOOK_ID;
const refundTemplate = () => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'paypal', 'events', 'composed-v2', 'PAYMENT.CAPTURE.REFUNDED.partial.json'), 'utf8'));

/**
 * Refunds from the WooCommerce order screen: WooCommerce records its refund, the plugin asks the relay, the relay
 * refunds at PayPal (stand-in) with a key tied to WooCommerce's refund, and PayPal's refund webhook coming back
 * is recognised as that same refund: the shop ends with one refund record and no second note.
 */
describe('refunds asked for by the shop, end to end (relay endpoint → PayPal stand-in → webhook → shop stand-in)', () => {
  let h: Harness;
  let paypal: PaypalStandIn;
  let stop: () => Promise<void>;
  beforeEach(async () => {
    // A short provider timeout: the lost-answer tests wait for a real one.
    ({ h, paypal, close: stop } = await startPaypalHarness({ PAYRELAY_PROVIDER_TIMEOUT_MS: '400' }));
  });
  afterEach(() => stop());

  /** A PayPal payment of 25.00 EUR, captured, and the WooCommerce order marked paid. */
  const paidOrder = () => paidPaypalOrder(h, paypal, '25.00');

  const wooCommerceRefund = (session: PaymentSession, amount: string) => recordShopRefund(h, session, amount);
  const askRelay = (session: PaymentSession, body: Record<string, unknown>) => askRelayToRefund(h, session, body);

  /** PayPal's PAYMENT.CAPTURE.REFUNDED for the capture, with the total refunded so far. */
  async function refundWebhook(session: PaymentSession, totalRefunded: string, refundId: string, customId: string | null = session.id) {
    const answer = await postRefundWebhook(refundWebhookBody(session, totalRefunded, refundId, customId));
    expect(answer.status).toBe(200);
    await h.drain();
  }
  const postRefundWebhook = (body: string) => h.post(body, signPaypal(WEBHOOK_ID, body, h.clock.now()), 'paypal');
  function refundWebhookBody(session: PaymentSession, totalRefunded: string, refundId: string, customId: string | null): string {
    const event = refundTemplate();
    event.id = `WH-REFUND-${refundId}`;
    event.resource.id = refundId;
    // PayPal's resource is the refund as made: ours carry our key as invoice_id, a dashboard refund none.
    const made = paypal.orders.get(session.providerSessionId!)?.refunds.find((r) => r.id === refundId);
    if (made?.invoiceId) event.resource.invoice_id = made.invoiceId;
    if (customId) event.resource.custom_id = customId;
    else delete event.resource.custom_id;
    event.resource.seller_payable_breakdown.total_refunded_amount.value = totalRefunded;
    event.resource.links[1].href = `https://api.sandbox.paypal.com/v2/payments/captures/${session.providerPaymentId}`;
    return JSON.stringify(event);
  }

  const refundCalls = () => paypal.calls.filter((c) => c.path.endsWith('/refund'));
  const refundsAtPaypal = (session: PaymentSession) => paypal.orders.get(session.providerSessionId!)!.refunds;
  /** WooCommerce deletes its refund record when process_refund answers an error (wc_create_refund). */
  const wooCommerceDropsRefund = (session: PaymentSession, refundId: string) => h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(refundId));
  const refundNotes = (session: PaymentSession) => h.ourNotes(session.merchantOrderId).filter((n) => /refund/i.test(n));

  it('a partial refund: refunded at PayPal once, and the webhook adds no second refund record and no note', async () => {
    const session = paidOrder();
    const wcRefund = wooCommerceRefund(session, '10.00');
    const answer = await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR', reason: 'damaged' });
    expect(answer).toMatchObject({ status: 201, body: { refund_id: wcRefund, provider: 'paypal', status: 'succeeded', amount: '10.00', currency: 'EUR' } });
    expect(refundCalls()).toEqual([expect.objectContaining({ requestId: `payrelay-refund-${session.merchantOrderId}-${wcRefund}` })]);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 1000 });

    // WooCommerce (or a person) asking again for the same refund refunds nothing more.
    const again = await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
    expect(again).toMatchObject({ status: 200, body: { provider_refund_id: answer.body.provider_refund_id } });
    expect(refundCalls()).toHaveLength(1);

    await refundWebhook(session, '10.00', answer.body.provider_refund_id);
    expect(h.shop.orders.refunds(Number(session.merchantOrderId))).toHaveLength(1);
    expect(refundNotes(session)).toHaveLength(0);
    expect(h.shop.orders.getOrder(Number(session.merchantOrderId))!.status).toBe('processing');
  });

  it('a full refund from the shop: the order is refunded once; PayPal\'s webhook changes nothing', async () => {
    const session = paidOrder();
    const wcRefund = wooCommerceRefund(session, '25.00');
    const answer = await askRelay(session, { refund_id: wcRefund, amount: '25.00', currency: 'EUR' });
    expect(answer.status).toBe(201);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'refunded', refundedMinor: 2500 });
    await refundWebhook(session, '25.00', answer.body.provider_refund_id);
    expect(h.shop.orders.refunds(Number(session.merchantOrderId))).toHaveLength(1);
    expect(refundNotes(session)).toHaveLength(0);
  });

  it('a refund made in PayPal\'s dashboard still appears in WooCommerce, once', async () => {
    const session = paidOrder();
    await refundWebhook(session, '5.00', 'DASHBOARD-REFUND-1', null);
    await refundWebhook(session, '5.00', 'DASHBOARD-REFUND-1', null);
    const refunds = h.shop.orders.refunds(Number(session.merchantOrderId));
    expect(refunds).toHaveLength(1);
    expect(refunds[0].amount).toBe('5.00');
    expect(refundNotes(session)).toHaveLength(1);
  });

  it('PayPal delivering a dashboard refund\'s webhook twice at once: one refund record, one note, counted once', async () => {
    const session = paidOrder();
    const body = refundWebhookBody(session, '5.00', 'DASHBOARD-REFUND-AT-ONCE', null);
    const answers = await Promise.all([postRefundWebhook(body), postRefundWebhook(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await h.drain();
    expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount)).toEqual(['5.00']);
    expect(refundNotes(session)).toHaveLength(1);
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(500);
  });

  it('the same WooCommerce refund asked for twice at once: PayPal refunds once, counted once; the second answer names the same refund (still being made, or made)', async () => {
    const session = paidOrder();
    const wcRefund = wooCommerceRefund(session, '10.00');
    const ask = () => askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
    const [made, again] = (await Promise.all([ask(), ask()])).sort((a, b) => b.status - a.status);
    expect(refundsAtPaypal(session)).toHaveLength(1);
    const paypalId = refundsAtPaypal(session)[0].id;
    expect(made).toMatchObject({ status: 201, body: { refund_id: wcRefund, status: 'succeeded', provider_refund_id: paypalId } });
    expect(again.status).toBe(200);
    expect([{ status: 'requested', provider_refund_id: null }, { status: 'succeeded', provider_refund_id: paypalId }]).toContainEqual({ status: again.body.status, provider_refund_id: again.body.provider_refund_id });
    expect(again.body.refund_id).toBe(wcRefund);
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
    expect(h.shop.orders.refunds(Number(session.merchantOrderId))).toHaveLength(1);
  });

  it('two refunds asked at once for more than was paid in all: PayPal refunds once, the other is refused with what is left, and the order\'s refunded total is PayPal\'s', async () => {
    // Two admins in two tabs: WooCommerce's own check of what is left passes for both when they come at once (its
    // stand-in here is one at a time and would refuse the second record, hence ids of our own).
    const session = paidOrder();
    const asks = [['wc-901', '20.00'], ['wc-902', '15.00']].map(([id, amount]) => ({ refund_id: id, amount, currency: 'EUR' }));
    const answers = await Promise.all(asks.map((body) => askRelay(session, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const refused = answers.find((a) => a.status === 422)!;
    expect(refused.body.error).toMatchObject({ code: 'amount_exceeds_remaining', message: expect.stringMatching(/^Only (5|10)\.00 EUR of this payment is left to refund/) });
    expect(refundCalls()).toHaveLength(1);
    const paypalTotal = refundsAtPaypal(session).reduce((sum, r) => sum + Math.round(Number(r.value) * 100), 0);
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(paypalTotal);
  });

  it('two partial refunds from the shop, then one from the dashboard: three records, one note (the dashboard\'s)', async () => {
    const session = paidOrder();
    const first = wooCommerceRefund(session, '5.00');
    const a = await askRelay(session, { refund_id: first, amount: '5.00', currency: 'EUR' });
    await refundWebhook(session, '5.00', a.body.provider_refund_id);
    const second = wooCommerceRefund(session, '7.50');
    const b = await askRelay(session, { refund_id: second, amount: '7.50', currency: 'EUR' });
    await refundWebhook(session, '12.50', b.body.provider_refund_id);
    await refundWebhook(session, '15.00', 'DASHBOARD-REFUND-2', null);
    expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount).sort()).toEqual(['2.50', '5.00', '7.50']);
    expect(refundNotes(session)).toHaveLength(1);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 1500 });
  });

  it('more than what is left is refused with the amounts, and PayPal is not asked', async () => {
    const session = paidOrder();
    const first = wooCommerceRefund(session, '20.00');
    expect((await askRelay(session, { refund_id: first, amount: '20.00', currency: 'EUR' })).status).toBe(201);
    const answer = await askRelay(session, { refund_id: 'wc-999', amount: '10.00', currency: 'EUR' });
    expect(answer).toMatchObject({ status: 422, body: { error: { code: 'amount_exceeds_remaining', message: expect.stringContaining('Only 5.00 EUR of this payment is left to refund') } } });
    expect(refundCalls()).toHaveLength(1);
  });

  it('after a chargeback took part of the payment, only the rest can be refunded, and refunding all of it refunds the order', async () => {
    const session = paidOrder();
    // The customer's bank took 5.00 back (a partial chargeback, decide.ts): 20.00 of 25.00 stay paid.
    h.relay.stores.sessions.update(session.id, { chargedBackMinor: 500 }, h.clock.now());
    const tooMuch = await askRelay(session, { refund_id: 'wc-too-much', amount: '25.00', currency: 'EUR' });
    expect(tooMuch).toMatchObject({ status: 422, body: { error: { code: 'amount_exceeds_remaining', message: expect.stringContaining('Only 20.00 EUR of this payment is left to refund') } } });
    expect(refundCalls()).toHaveLength(0);
    const rest = wooCommerceRefund(session, '20.00');
    const answer = await askRelay(session, { refund_id: rest, amount: '20.00', currency: 'EUR' });
    expect(answer.status).toBe(201);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'refunded', refundedMinor: 2000 });
    await refundWebhook(session, '20.00', answer.body.provider_refund_id);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'refunded', refundedMinor: 2000 });
    expect(refundNotes(session)).toHaveLength(0);
  });

  it('a refund in another currency is refused in words', async () => {
    const session = paidOrder();
    const answer = await askRelay(session, { refund_id: 'wc-1', amount: '10.00', currency: 'USD' });
    expect(answer).toMatchObject({ status: 422, body: { error: { code: 'currency_mismatch', message: 'The refund is in USD but the payment was made in EUR; refund in EUR.' } } });
    expect(refundCalls()).toHaveLength(0);
  });

  it('PayPal refusing: the merchant reads PayPal\'s reason, and nothing counts as refunded', async () => {
    const session = paidOrder();
    paypal.fault('/v2/payments/captures/', { status: 422, body: { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'REFUND_NOT_ALLOWED', description: 'Full refund refused - partial refund has already been done on this payment.' }] } });
    const answer = await askRelay(session, { refund_id: 'wc-2', amount: '10.00', currency: 'EUR' });
    expect(answer).toMatchObject({ status: 422, body: { error: { code: 'provider_refused', message: expect.stringContaining('PayPal refused the refund: Full refund refused') } } });
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 0 });
  });

  it('PayPal down: a 502 that says so, and a refund PayPal made after all still reaches the shop by its webhook', async () => {
    const session = paidOrder();
    paypal.fault('/v2/payments/captures/', { status: 503, body: { name: 'SERVICE_UNAVAILABLE' } });
    const answer = await askRelay(session, { refund_id: 'wc-3', amount: '10.00', currency: 'EUR' });
    expect(answer).toMatchObject({ status: 502, body: { error: { code: 'provider_unavailable', message: expect.stringContaining('PayPal could not be reached') } } });
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(0);
    await refundWebhook(session, '10.00', 'MADE-AFTER-ALL');
    expect(h.shop.orders.refunds(Number(session.merchantOrderId))).toHaveLength(1);
  });

  describe('a refund whose answer was lost (timeout, dropped connection, 5xx), and the merchant clicking again', () => {
    it('PayPal made it but the answer timed out: the retry under a new WooCommerce refund id is answered with that refund, nothing is refunded twice', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'apply_then_hang');
      const first = wooCommerceRefund(session, '10.00');
      const lost = await askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' });
      expect(lost).toMatchObject({ status: 502, body: { error: { code: 'provider_unavailable', message: expect.stringContaining('may have been made') } } });
      wooCommerceDropsRefund(session, first);
      expect(refundsAtPaypal(session)).toHaveLength(1);

      const second = wooCommerceRefund(session, '10.00');
      const retry = await askRelay(session, { refund_id: second, amount: '10.00', currency: 'EUR' });
      expect(retry).toMatchObject({
        status: 201,
        body: { refund_id: second, status: 'succeeded', provider_refund_id: refundsAtPaypal(session)[0].id, message: expect.stringContaining('whose answer from PayPal was lost, is made at PayPal') },
      });
      expect(refundsAtPaypal(session)).toHaveLength(1);
      expect(refundCalls()).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 1000 });

      // PayPal's webhook for it is the same refund: no second record, no note.
      await refundWebhook(session, '10.00', refundsAtPaypal(session)[0].id);
      expect(h.shop.orders.refunds(Number(session.merchantOrderId))).toHaveLength(1);
      expect(refundNotes(session)).toHaveLength(0);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
    });

    it('PayPal did not make it (the connection dropped first): the retry refunds, once', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'drop');
      const first = wooCommerceRefund(session, '10.00');
      expect((await askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' })).status).toBe(502);
      wooCommerceDropsRefund(session, first);
      h.clock.advance(LOST_REFUND_GRACE_MS);
      const second = wooCommerceRefund(session, '10.00');
      const retry = await askRelay(session, { refund_id: second, amount: '10.00', currency: 'EUR' });
      expect(retry).toMatchObject({ status: 201, body: { refund_id: second, status: 'succeeded' } });
      expect(retry.body.message ?? null).toBeNull();
      expect(refundsAtPaypal(session)).toEqual([expect.objectContaining({ id: retry.body.provider_refund_id, invoiceId: `payrelay-refund-${session.merchantOrderId}-${second}` })]);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
    });

    it('clicking again while PayPal may still be making the lost refund: refused with when to try again, and the late refund is not made twice', async () => {
      // The call hangs past the client's timeout and PayPal commits it later: a look-up in between finds nothing,
      // and refunding on that "not made" was a second refund.
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'hang');
      const first = wooCommerceRefund(session, '10.00');
      expect((await askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' })).status).toBe(502);
      wooCommerceDropsRefund(session, first);

      h.clock.advance(5_000);
      const tooSoon = await askRelay(session, { refund_id: wooCommerceRefund(session, '10.00'), amount: '10.00', currency: 'EUR' });
      expect(tooSoon).toMatchObject({ status: 409, body: { error: { code: 'earlier_refund_in_flight', message: expect.stringContaining('try again in 85 s') } } });
      expect(tooSoon.headers.get('retry-after')).toBe('85');
      expect(refundCalls()).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(0);
      expect(h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.message)).toContainEqual(expect.stringMatching(/refused for now: PayPal does not list the refund of 10\.00 EUR/));

      // PayPal commits the first call after all.
      const key = `payrelay-refund-${session.merchantOrderId}-${first}`;
      refundsAtPaypal(session).push({ id: 'LATE-REFUND-1', value: '10.00', requestId: key, invoiceId: key });
      h.clock.advance(LOST_REFUND_GRACE_MS);
      const retry = await askRelay(session, { refund_id: wooCommerceRefund(session, '10.00'), amount: '10.00', currency: 'EUR' });
      expect(retry).toMatchObject({ status: 201, body: { provider_refund_id: 'LATE-REFUND-1', message: expect.stringContaining('nothing was refunded twice') } });
      expect(refundsAtPaypal(session)).toHaveLength(1);
      expect(refundCalls()).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
    });

    it('the same WooCommerce refund asked again after PayPal said its lost call was not made: refunded under the same key', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'drop');
      const refund = wooCommerceRefund(session, '10.00');
      expect((await askRelay(session, { refund_id: refund, amount: '10.00', currency: 'EUR' })).status).toBe(502);
      h.clock.advance(LOST_REFUND_GRACE_MS);
      const again = await askRelay(session, { refund_id: refund, amount: '10.00', currency: 'EUR' });
      expect(again).toMatchObject({ status: 201, body: { refund_id: refund, status: 'succeeded', amount: '10.00' } });
      const key = `payrelay-refund-${session.merchantOrderId}-${refund}`;
      expect(refundCalls().map((c) => c.requestId)).toEqual([key, key]);
      expect(refundsAtPaypal(session)).toEqual([expect.objectContaining({ id: again.body.provider_refund_id, invoiceId: key })]);
      expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 1000 });
      expect(h.relay.stores.refunds.get(session.merchantOrderId, refund)).toMatchObject({ state: 'succeeded', providerRefundId: again.body.provider_refund_id });
    });

    it('the webhook of the lost refund arriving first puts the one refund record in the shop; nothing counts twice', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'apply_then_drop');
      const first = wooCommerceRefund(session, '10.00');
      expect((await askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' })).status).toBe(502);
      wooCommerceDropsRefund(session, first);
      await refundWebhook(session, '10.00', refundsAtPaypal(session)[0].id);
      expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount)).toEqual(['10.00']);
      expect(refundNotes(session)).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
      // What is left is 15.00: the lost refund is not counted a second time.
      const rest = wooCommerceRefund(session, '15.00');
      expect(await askRelay(session, { refund_id: rest, amount: '15.00', currency: 'EUR' })).toMatchObject({ status: 201 });
      expect(refundsAtPaypal(session)).toHaveLength(2);
    });

    it('a dashboard refund of the same amount is not taken for the lost refund: the lost one is still asked about', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'drop');
      const first = wooCommerceRefund(session, '10.00');
      expect((await askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' })).status).toBe(502);
      wooCommerceDropsRefund(session, first);
      await refundWebhook(session, '10.00', 'DASHBOARD-SAME-AMOUNT', null);
      expect(h.relay.stores.refunds.get(session.merchantOrderId, first)!.state).toBe('unconfirmed');
      expect(refundNotes(session).join(' ')).not.toContain('whose answer from PayPal was lost');
      // PayPal never made it: the next click (after the grace period) refunds, and 20.00 is refunded in all.
      h.clock.advance(LOST_REFUND_GRACE_MS);
      const again = wooCommerceRefund(session, '10.00');
      expect(await askRelay(session, { refund_id: again, amount: '10.00', currency: 'EUR' })).toMatchObject({ status: 201, body: { refund_id: again, status: 'succeeded' } });
      expect(refundsAtPaypal(session)).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(2000);
      expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount)).toEqual(['10.00', '10.00']);
    });

    it('two lost refunds of the same amount: PayPal\'s webhook confirms the one it names (invoice_id), and the other is still asked about', async () => {
      // Two unconfirmed refunds at once on one order: two relays clicked at once before refunds were serialised.
      const session = paidOrder();
      const key = (refundId: string) => `payrelay-refund-${session.merchantOrderId}-${refundId}`;
      const lost = (refundId: string) => {
        h.relay.stores.refunds.insertIfNew({ merchantOrderId: session.merchantOrderId, shopRefundId: refundId, sessionId: session.id, provider: 'paypal', amountMinor: 1000, currency: 'EUR', state: 'requested', createdAt: h.clock.now() });
        h.relay.stores.refunds.settle(session.merchantOrderId, refundId, { state: 'unconfirmed' }, h.clock.now());
      };
      lost('901');
      lost('902');
      // PayPal made the second only.
      refundsAtPaypal(session).push({ id: 'MADE-902', value: '10.00', requestId: key('902'), invoiceId: key('902') });
      await refundWebhook(session, '10.00', 'MADE-902');
      expect(h.relay.stores.refunds.get(session.merchantOrderId, '902')!.state).toBe('succeeded');
      expect(h.relay.stores.refunds.get(session.merchantOrderId, '901')!.state).toBe('unconfirmed');
      expect(refundNotes(session)).toEqual([expect.stringContaining('(WooCommerce refund 902)')]);

      // The next click asks PayPal about 901 (not made) and refunds: two refunds at PayPal, two in the shop, 20.00.
      h.clock.advance(LOST_REFUND_GRACE_MS);
      const next = wooCommerceRefund(session, '10.00');
      expect(await askRelay(session, { refund_id: next, amount: '10.00', currency: 'EUR' })).toMatchObject({ status: 201, body: { refund_id: next, status: 'succeeded' } });
      expect(refundsAtPaypal(session).map((r) => r.invoiceId)).toEqual([key('902'), key(next)]);
      expect(h.relay.stores.refunds.get(session.merchantOrderId, '901')!.state).toBe('refused');
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(2000);
      expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount)).toEqual(['10.00', '10.00']);
    });

    it('the webhook arriving while the refund call still waits, then the answer lost: the refund counts as made, and the shop keeps its one record', async () => {
      // The webhook finds the amount counted already (the call is in flight) and writes nothing; undoing the count
      // on the lost answer afterwards would leave PayPal refunded and WooCommerce (which drops its record on the
      // 502) with no refund at all, and nothing left to bring it back.
      // The webhook must be recorded while the call still waits: 400 ms was too short on a loaded CI machine, so
      // this test's relay waits 3 s for PayPal (the answer is still lost, by timeout, after the webhook).
      await stop();
      ({ h, paypal, close: stop } = await startPaypalHarness({ PAYRELAY_PROVIDER_TIMEOUT_MS: '3000' }));
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'apply_then_hang');
      const first = wooCommerceRefund(session, '10.00');
      const answer = askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' });
      while (refundsAtPaypal(session).length === 0) await new Promise((resolve) => setImmediate(resolve));
      // Recorded (not yet written to the shop) within the 3 s the call waits: the shop write comes after.
      const recorded = await postRefundWebhook(refundWebhookBody(session, '10.00', refundsAtPaypal(session)[0].id, session.id));
      expect(recorded.status).toBe(200);
      expect(await answer).toMatchObject({ status: 201, body: { refund_id: first, status: 'succeeded' } });
      await h.drain();
      expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount)).toEqual(['10.00']);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
      expect(refundCalls()).toHaveLength(1);
      // What is left is 15.00, refunded once.
      const rest = wooCommerceRefund(session, '15.00');
      expect(await askRelay(session, { refund_id: rest, amount: '15.00', currency: 'EUR' })).toMatchObject({ status: 201 });
      expect(refundsAtPaypal(session)).toHaveLength(2);
    });

    it('a second refund asked while the first one\'s call to PayPal is unanswered waits its turn, and is refused while the first may still be made: PayPal is asked once', async () => {
      // Refunds of one order take turns from the check of what is left to the provider's answer. Before, the second
      // went to PayPal beside the first, and the order had two refunds in flight, then two unsettled ones.
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'hang');
      const first = wooCommerceRefund(session, '10.00');
      const firstAnswer = askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' });
      while (refundCalls().length === 0) await new Promise((resolve) => setImmediate(resolve));
      const second = wooCommerceRefund(session, '5.00');
      const [lost, refused] = await Promise.all([firstAnswer, askRelay(session, { refund_id: second, amount: '5.00', currency: 'EUR' })]);
      expect(lost).toMatchObject({ status: 502, body: { error: { code: 'provider_unavailable' } } });
      expect(refused).toMatchObject({ status: 409, body: { error: { code: 'earlier_refund_in_flight', message: expect.stringContaining(`(WooCommerce refund ${first})`) } } });
      expect(refundCalls()).toHaveLength(1);
      wooCommerceDropsRefund(session, first);
      wooCommerceDropsRefund(session, second);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(0);
      expect(h.relay.stores.refunds.get(session.merchantOrderId, second)).toBeNull();
      // PayPal never made the first: after the grace period the whole payment can be refunded, once.
      h.clock.advance(LOST_REFUND_GRACE_MS);
      const all = wooCommerceRefund(session, '25.00');
      expect(await askRelay(session, { refund_id: all, amount: '25.00', currency: 'EUR' })).toMatchObject({ status: 201, body: { status: 'succeeded' } });
      expect(refundsAtPaypal(session)).toHaveLength(1);
    });

    it('a retry for another amount: the lost refund is put on the order, the new one is refused with why, PayPal refunds once', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'apply_then_hang');
      const first = wooCommerceRefund(session, '20.00');
      expect((await askRelay(session, { refund_id: first, amount: '20.00', currency: 'EUR' })).status).toBe(502);
      wooCommerceDropsRefund(session, first);
      const second = wooCommerceRefund(session, '5.00');
      const answer = await askRelay(session, { refund_id: second, amount: '5.00', currency: 'EUR' });
      expect(answer).toMatchObject({ status: 409, body: { error: { code: 'earlier_refund_made', message: expect.stringContaining('20.00 EUR') } } });
      wooCommerceDropsRefund(session, second);
      await h.drain();
      expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount)).toEqual(['20.00']);
      expect(refundsAtPaypal(session)).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(2000);
      await refundWebhook(session, '20.00', refundsAtPaypal(session)[0].id);
      expect(h.shop.orders.refunds(Number(session.merchantOrderId))).toHaveLength(1);
    });

    it('two clicks at once after a lost refund: the lost refund is put on the order once, and counted once', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'apply_then_hang');
      const first = wooCommerceRefund(session, '20.00');
      expect((await askRelay(session, { refund_id: first, amount: '20.00', currency: 'EUR' })).status).toBe(502);
      wooCommerceDropsRefund(session, first);
      const answers = await Promise.all([
        askRelay(session, { refund_id: wooCommerceRefund(session, '3.00'), amount: '3.00', currency: 'EUR' }),
        askRelay(session, { refund_id: wooCommerceRefund(session, '2.00'), amount: '2.00', currency: 'EUR' }),
      ]);
      await h.drain();
      expect(answers.filter((a) => a.status === 409)).toHaveLength(1);
      const refundedNow = answers.filter((a) => a.status === 201).reduce((sum, a) => sum + Math.round(Number(a.body.amount ?? 0) * 100), 0);
      expect(h.shop.orders.refunds(Number(session.merchantOrderId)).filter((r) => r.amount === '20.00')).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(2000 + refundedNow);
    });

    it('while PayPal cannot say whether the lost refund was made, nothing more is refunded', async () => {
      const session = paidOrder();
      paypal.fault('/v2/payments/captures/', 'hang');
      const first = wooCommerceRefund(session, '10.00');
      expect((await askRelay(session, { refund_id: first, amount: '10.00', currency: 'EUR' })).status).toBe(502);
      wooCommerceDropsRefund(session, first);
      paypal.fault('/v2/checkout/orders/', { status: 503, body: { name: 'SERVICE_UNAVAILABLE' } });
      const answer = await askRelay(session, { refund_id: 'wc-77', amount: '10.00', currency: 'EUR' });
      expect(answer).toMatchObject({ status: 502, body: { error: { code: 'provider_unavailable', message: expect.stringContaining('whether the refund of 10.00 EUR') } } });
      expect(refundCalls()).toHaveLength(1);
    });
  });

  it('an order with no Payrelay payment, and a provider without refunds, are refused in words', async () => {
    const unpaid = h.seed({ status: 'created' });
    expect(await askRelay(unpaid, { refund_id: 'wc-4', amount: '1.00', currency: 'EUR' })).toMatchObject({ status: 409, body: { error: { code: 'no_payment' } } });
    const sandboxPaid = h.seed({ status: 'paid', providerPaymentId: 'sbx_pay_x' });
    expect(await askRelay(sandboxPaid, { refund_id: 'wc-5', amount: '1.00', currency: 'EUR' })).toMatchObject({
      status: 422,
      body: { error: { code: 'refund_unsupported', message: expect.stringContaining('Refund manually') } },
    });
  });

  it('an unsigned request is refused', async () => {
    const session = paidOrder();
    const response = await fetch(`${h.relay.url}/v1/orders/${session.merchantOrderId}/refunds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
  });
});

/** The same lost answer at Stripe, through the real Stripe SDK against the Stripe stand-in (refunds create and list). */
describe('a Stripe refund whose answer was lost, and the merchant clicking again', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E({ PAYRELAY_PROVIDER_TIMEOUT_MS: '300' });
  });
  afterEach(() => e.close());

  function paidStripeOrder(): PaymentSession {
    const session = e.h.seed({ provider: 'stripe', providerSessionId: 'cs_test_refund', providerPaymentId: `pi_refund_${Math.random().toString(36).slice(2, 8)}`, amountMinor: 2500, status: 'paid' });
    e.h.shop.orders.setStatus(session.merchantOrderId, 'processing');
    return session;
  }
  const wooCommerceRefund = (session: PaymentSession, amount: string): string => {
    const made = e.h.shop.shop.createRefund(Number(session.merchantOrderId), { amount, reason: 'damaged', api_refund: false });
    if (!made.ok) throw new Error('stand-in refused the refund');
    return String(made.value.id);
  };
  const askRelay = (session: PaymentSession, refundId: string, amount: string) =>
    e.shopCall('POST', `/v1/orders/${session.merchantOrderId}/refunds`, { refund_id: refundId, amount, currency: 'EUR' });

  it('Stripe made it but never answered: the retry under a new WooCommerce refund id is answered with that refund, one refund at Stripe', async () => {
    const session = paidStripeOrder();
    // stripe-node does not retry a timeout (maxNetworkRetries 0): one lost answer is the relay's to handle.
    e.stripe.failRefunds('apply_then_hang');
    const first = wooCommerceRefund(session, '10.00');
    const lost = await askRelay(session, first, '10.00');
    expect(lost).toMatchObject({ status: 502, json: { error: { code: 'provider_unavailable', message: expect.stringContaining('may have been made') } } });
    e.h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(first));
    expect(e.stripe.refunds).toHaveLength(1);

    const second = wooCommerceRefund(session, '10.00');
    const retry = await askRelay(session, second, '10.00');
    expect(retry).toMatchObject({ status: 201, json: { refund_id: second, provider: 'stripe', provider_refund_id: e.stripe.refunds[0].id, message: expect.stringContaining('whose answer from Stripe was lost, is made at Stripe') } });
    expect(e.stripe.refunds).toHaveLength(1);
    expect(e.stripe.refundCalls).toEqual([{ idempotencyKey: `payrelay-refund-${session.merchantOrderId}-${first}` }]);
    expect(e.h.shop.orders.refunds(Number(session.merchantOrderId))).toHaveLength(1);
    expect(e.session(session.id).refundedMinor).toBe(1000);
  });

  it('Stripe never made it: the retry refunds once', async () => {
    const session = paidStripeOrder();
    e.stripe.failRefunds('hang');
    const first = wooCommerceRefund(session, '10.00');
    expect((await askRelay(session, first, '10.00')).status).toBe(502);
    e.h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(first));
    e.h.clock.advance(LOST_REFUND_GRACE_MS);
    const second = wooCommerceRefund(session, '10.00');
    const retry = await askRelay(session, second, '10.00');
    expect(retry).toMatchObject({ status: 201, json: { refund_id: second, status: 'succeeded' } });
    expect(e.stripe.refunds).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ payrelay_refund_key: `payrelay-refund-${session.merchantOrderId}-${second}` }) })]);
  });
});
