import { createInProcessOrderLock } from '../../relay/src/adapters/in-process-order-lock';
import { INTERRUPTED_REFUND_AFTER_MS, recoverInterruptedRefunds } from '../../relay/src/app/recover-interrupted-refunds';
import { shopRefundKey } from '../../relay/src/domain/own-refund-outcome';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { OrderLock } from '../../relay/src/ports/order-lock';
import { startPaypalHarness, TEST_PAYPAL_WEBHOOK_ID, type HeldFault, type PaypalStandIn } from '../helpers/paypal-stand-in';
import { paidPaypalOrder, paypalRefundWebhook, refundsAtPaypal, totalAtPaypal } from '../helpers/paypal-refunds';
import { signPaypal } from '../helpers/provider-signers';
import { askRelayToRefund, recordShopRefund, type Harness } from '../helpers/relay-harness';
import { TEST_STORE } from '../helpers/test-store';

/**
 * A relay that stops (crash, kill, deploy) while it asks the provider for a refund leaves the refund's row
 * `requested`, its amount counted as recorded in the shop, while WooCommerce removed its record when the plugin's
 * request failed. The schedule settles such a row as a lost answer. Here the relay's request is held at PayPal and
 * never comes back (as a dead relay's), and the pass runs with a lock of its own, as a restarted relay's.
 */
describe(`a refund interrupted by a stop of the relay (${TEST_STORE})`, () => {
  let h: Harness;
  let paypal: PaypalStandIn;
  let stop: () => Promise<void>;
  /** Held calls, released after each test so no request is left waiting. */
  const releases: Array<() => void> = [];
  beforeAll(async () => {
    ({ h, paypal, close: stop } = await startPaypalHarness({ PAYRELAY_PROVIDER_TIMEOUT_MS: '10000' }));
  });
  afterEach(() => releases.splice(0).forEach((release) => release()));
  afterAll(() => stop());

  /** The restarted relay's view: the same stores, a turn of its own (the dead relay's went with it). */
  const restarted = (orderLock: OrderLock = createInProcessOrderLock()) => ({ stores: h.relay.stores, refunds: h.relay.stores.refunds, unitOfWork: h.relay.stores.unitOfWork, clock: h.clock, orderLock });
  const refundedMinor = (session: PaymentSession) => h.relay.stores.sessions.get(session.id)!.refundedMinor;
  const row = (session: PaymentSession, wcRefund: string) => h.relay.stores.refunds.get(session.merchantOrderId, wcRefund)!;
  const records = (session: PaymentSession) => h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount).sort();
  const refundNotes = (session: PaymentSession) => h.ourNotes(session.merchantOrderId).filter((n) => /refund/i.test(n));
  async function postWebhook(body: string): Promise<void> {
    const answer = await h.post(body, signPaypal(TEST_PAYPAL_WEBHOOK_ID, body, h.clock.now()), 'paypal');
    expect(answer.status).toBe(200);
    await h.drain();
  }

  /** The shop asks for 10.00 (or `amount`) and PayPal holds the call as `call` says; resolves once the relay has counted it. */
  async function refundHeldAtPaypal(session: PaymentSession, call: Pick<HeldFault, 'apply' | 'then'>, amount = '10.00') {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    releases.push(release);
    paypal.fault('/v2/payments/captures/', { released, ...call });
    const wcRefund = recordShopRefund(h, session, amount);
    const answer = askRelayToRefund(h, session, { refund_id: wcRefund, amount, currency: 'EUR' });
    while (!paypal.calls.some((c) => c.path === `/v2/payments/captures/${session.providerPaymentId}/refund`)) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(row(session, wcRefund).state).toBe('requested');
    expect(refundedMinor(session)).toBe(Math.round(Number(amount) * 100));
    return { wcRefund, answer, release };
  }

  it('after two minutes its count is undone and it is a lost answer; PayPal\'s webhook then puts its record on the order, once', async () => {
    const session = paidPaypalOrder(h, paypal);
    const { wcRefund } = await refundHeldAtPaypal(session, { apply: 'on_arrival', then: 'drop' });
    // The relay dies here: the plugin's request fails, and WooCommerce removes its refund record.
    h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(wcRefund));

    expect(await recoverInterruptedRefunds(restarted())).toEqual({ recovered: [], busy: 0 });
    expect(refundedMinor(session)).toBe(1000);
    h.clock.advance(INTERRUPTED_REFUND_AFTER_MS + 1);
    const pass = await recoverInterruptedRefunds(restarted());
    expect(pass.recovered.map((r) => r.shopRefundId)).toEqual([wcRefund]);
    expect(refundedMinor(session)).toBe(0);
    expect(row(session, wcRefund).state).toBe('unconfirmed');
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.message)).toContainEqual(expect.stringMatching(/^Payrelay stopped while it was asking PayPal to refund 10\.00/));
    expect(await recoverInterruptedRefunds(restarted())).toEqual({ recovered: [], busy: 0 });

    // PayPal made it: its webhook is the only way its record gets back on the order.
    const made = refundsAtPaypal(paypal, session).find((r) => r.invoiceId === shopRefundKey(session.merchantOrderId, wcRefund))!;
    const webhook = paypalRefundWebhook(session, made, totalAtPaypal(paypal, session));
    await postWebhook(webhook);
    await postWebhook(webhook);
    expect(refundedMinor(session)).toBe(1000);
    expect(row(session, wcRefund).state).toBe('succeeded');
    expect(records(session)).toEqual(['10.00']);
    expect(refundNotes(session)).toHaveLength(1);
  });

  it('PayPal\'s webhook confirming it before the pass (its relay dead, WooCommerce\'s record gone): the pass puts its record on the order, once', async () => {
    const session = paidPaypalOrder(h, paypal);
    const { wcRefund } = await refundHeldAtPaypal(session, { apply: 'on_arrival', then: 'drop' });
    // The relay dies here: the plugin's request fails, and WooCommerce removes its refund record.
    h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(wcRefund));
    // PayPal made it, and its webhook comes first: it reads as the refund in flight (counted, its record in the shop).
    const made = refundsAtPaypal(paypal, session).find((r) => r.invoiceId === shopRefundKey(session.merchantOrderId, wcRefund))!;
    await postWebhook(paypalRefundWebhook(session, made, totalAtPaypal(paypal, session)));
    expect(row(session, wcRefund).state).toBe('succeeded');
    expect(records(session)).toEqual([]);

    h.clock.advance(INTERRUPTED_REFUND_AFTER_MS + 1);
    expect((await recoverInterruptedRefunds(restarted())).recovered.map((r) => r.shopRefundId)).toEqual([wcRefund]);
    await h.drain();
    expect(await recoverInterruptedRefunds(restarted())).toEqual({ recovered: [], busy: 0 });
    await h.drain();
    expect(refundedMinor(session)).toBe(1000);
    expect(row(session, wcRefund).state).toBe('succeeded');
    expect(records(session)).toEqual(['10.00']);
    expect(refundNotes(session)).toHaveLength(1);
  });

  it('a full refund interrupted after a dashboard refund\'s webhook was counted beside it: its count undone, the dashboard\'s 5.00 goes on record', async () => {
    const session = paidPaypalOrder(h, paypal);
    const { wcRefund } = await refundHeldAtPaypal(session, { apply: 'never', then: 'drop' }, '50.00');
    // WooCommerce marks the order refunded only once process_refund answered; its stand-in does with the record.
    h.shop.orders.setStatus(session.merchantOrderId, 'processing');
    const dashboard = { id: `DASHBOARD-${session.merchantOrderId}`, value: '5.00', requestId: '', invoiceId: null };
    refundsAtPaypal(paypal, session).push(dashboard);
    await postWebhook(paypalRefundWebhook(session, dashboard, '5.00'));
    expect(refundedMinor(session)).toBe(5500);
    // The relay dies here: the plugin's request fails, and WooCommerce removes its refund record.
    h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(wcRefund));
    h.clock.advance(INTERRUPTED_REFUND_AFTER_MS + 1);
    expect((await recoverInterruptedRefunds(restarted())).recovered).toHaveLength(1);
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 500 });
    expect(records(session)).toEqual(['5.00']);
  });

  it('a refund whose turn is held is a live one: left as it is, looked at again next pass', async () => {
    const session = paidPaypalOrder(h, paypal);
    const { wcRefund } = await refundHeldAtPaypal(session, { apply: 'never', then: 'refuse' });
    h.clock.advance(INTERRUPTED_REFUND_AFTER_MS + 1);
    const lock = createInProcessOrderLock();
    let letGo!: () => void;
    const held = lock.run(`refund:${session.merchantOrderId}`, 0, () => new Promise<void>((resolve) => (letGo = resolve)));
    expect(await recoverInterruptedRefunds(restarted(lock))).toEqual({ recovered: [], busy: 1 });
    expect(row(session, wcRefund).state).toBe('requested');
    expect(refundedMinor(session)).toBe(1000);
    letGo();
    await held;
  });

  it('the order\'s next refund, in its turn, settles it first: PayPal is asked, and nothing is refunded twice', async () => {
    const session = paidPaypalOrder(h, paypal);
    // What the count before PayPal's call writes, left so by a relay that stopped before PayPal saw the call.
    const now = h.clock.now();
    h.relay.stores.unitOfWork.transaction(() => {
      h.relay.stores.refunds.insertIfNew({ merchantOrderId: session.merchantOrderId, shopRefundId: 'wc-stopped', sessionId: session.id, provider: 'paypal', amountMinor: 1000, currency: 'EUR', state: 'requested', createdAt: now });
      h.relay.stores.sessions.update(session.id, { refundedMinor: 1000 }, now);
    });
    const wcRefund = recordShopRefund(h, session, '45.00');
    // 45.00 of 50.00: refused as too much while the stopped refund counted.
    const first = await askRelayToRefund(h, session, { refund_id: wcRefund, amount: '45.00', currency: 'EUR' });
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe('earlier_refund_in_flight');
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(row(session, 'wc-stopped').state).toBe('unconfirmed');
    expect(refundedMinor(session)).toBe(0);
    // PayPal has no such refund, and long enough after: it was not made, and the 45.00 is.
    h.clock.advance(91_000);
    const again = await askRelayToRefund(h, session, { refund_id: wcRefund, amount: '45.00', currency: 'EUR' });
    expect(again.status).toBe(201);
    expect(row(session, 'wc-stopped').state).toBe('refused');
    expect(refundedMinor(session)).toBe(4500);
    expect(refundsAtPaypal(paypal, session).map((r) => r.value)).toEqual(['45.00']);
  });

  /**
   * The pass took a refund for interrupted while its request still waited for PayPal (its turn lost with its
   * database connection): a dashboard refund of 5.00 is recorded meanwhile, then PayPal's answer comes. The count
   * is neither undone twice nor left undone. (WooCommerce's records are not compared: while the plugin still waits,
   * its record of the 10.00 is there uncounted, and the worker takes it to cover the dashboard's 5.00.)
   */
  it.each([
    { then: 'answer' as const, apply: 'on_release' as const, status: 201, state: 'succeeded', refunded: 1500 },
    { then: 'refuse' as const, apply: 'never' as const, status: 422, state: 'refused', refunded: 500 },
    { then: 'drop' as const, apply: 'never' as const, status: 502, state: 'unconfirmed', refunded: 500 },
  ])('taken for interrupted while PayPal still had the call, then the call is answered ($then)', async (expected) => {
    const session = paidPaypalOrder(h, paypal);
    const { wcRefund, answer, release } = await refundHeldAtPaypal(session, { apply: expected.apply, then: expected.then });
    h.clock.advance(INTERRUPTED_REFUND_AFTER_MS + 1);
    expect((await recoverInterruptedRefunds(restarted())).recovered).toHaveLength(1);
    const dashboard = { id: `DASHBOARD-${session.merchantOrderId}`, value: '5.00', requestId: '', invoiceId: null };
    refundsAtPaypal(paypal, session).push(dashboard);
    await postWebhook(paypalRefundWebhook(session, dashboard, totalAtPaypal(paypal, session)));
    expect(refundedMinor(session)).toBe(500);

    release();
    expect((await answer).status).toBe(expected.status);
    expect(row(session, wcRefund).state).toBe(expected.state);
    expect(refundedMinor(session)).toBe(expected.refunded);
  });
});
