import fs from 'node:fs';
import path from 'node:path';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import { startAdyenStandIn, type ApiStandIn, type AdyenPayment } from '../helpers/provider-api-stand-ins';
import { ADYEN_TEST_HMAC_KEY, PROVIDER_FIXTURES, signedAdyenNotification } from '../helpers/provider-signers';
import { askRelayToRefund, recordShopRefund, startHarness, type Harness } from '../helpers/relay-harness';

type AdyenStandIn = ApiStandIn & { payments: Map<string, AdyenPayment>; addPayment(psp: string, value: number, currency?: string): void };

const refundItemTemplate = () => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'adyen', 'notifications', 'openapi-examples', 'REFUND_FAILED.json'), 'utf8')).notificationItems[0].NotificationRequestItem;

/**
 * Refunds from the WooCommerce order screen for an Adyen payment: the relay asks Adyen's Checkout API
 * (`POST /payments/{psp}/refunds`, Idempotency-Key tied to WooCommerce's refund), Adyen answers "received", and the
 * REFUND / REFUND_FAILED notification is recognised as that same refund: made, nothing more is written; failed, the
 * merchant gets one note that the money was not returned.
 */
describe('Adyen refunds asked for by the shop (relay endpoint → Adyen stand-in → notification → shop stand-in)', () => {
  let h: Harness;
  let adyen: AdyenStandIn;
  /** A relay for the Adyen stand-in; `timeoutMs`: how long it waits for Adyen's answer. */
  const startRelay = (timeoutMs = 400) =>
    startHarness({ ADYEN_API_KEY: 'AQE_refund_key', ADYEN_MERCHANT_ACCOUNT: 'PayrelayShop_ECOM', ADYEN_HMAC_KEY: ADYEN_TEST_HMAC_KEY, ADYEN_API_BASE: adyen.url, PAYRELAY_PROVIDER_TIMEOUT_MS: String(timeoutMs) });
  beforeEach(async () => {
    adyen = await startAdyenStandIn();
    h = await startRelay();
  });
  afterEach(async () => {
    await h.close();
    await adyen.close();
  });

  let seq = 0;
  /** An Adyen payment of 19.99 EUR, authorised and captured, the WooCommerce order paid. */
  function paidAdyenOrder(): PaymentSession {
    seq += 1;
    const psp = `PSP${String(seq).padStart(13, '0')}`;
    const session = h.seed({ provider: 'adyen', providerSessionId: `PLREFUND${seq}A1B2C3`, providerPaymentId: psp, status: 'paid' });
    adyen.addPayment(psp, session.amountMinor, session.currency);
    h.shop.orders.setStatus(session.merchantOrderId, 'processing');
    return session;
  }

  const wooCommerceRefund = (session: PaymentSession, amount: string) => recordShopRefund(h, session, amount);
  const askRelay = (session: PaymentSession, body: Record<string, unknown>) => askRelayToRefund(h, session, body);

  /** Adyen's notification about one refund: its own pspReference, the payment's as originalReference. */
  async function refundNotification(session: PaymentSession, eventCode: 'REFUND' | 'REFUND_FAILED', fields: { psp: string; value: number; success?: 'true' | 'false'; reference?: string; reason?: string }) {
    const item = {
      ...refundItemTemplate(),
      eventCode,
      success: fields.success ?? 'true',
      pspReference: fields.psp,
      originalReference: session.providerPaymentId,
      merchantReference: fields.reference ?? session.id,
      merchantAccountCode: 'PayrelayShop_ECOM',
      amount: { value: fields.value, currency: 'EUR' },
      reason: fields.reason ?? '',
      additionalData: {},
    };
    const answer = await h.post(signedAdyenNotification([item]).toString(), {}, 'adyen');
    expect(answer).toEqual({ status: 200, body: '[accepted]' });
    await h.drain();
  }

  const refundCalls = () => adyen.calls.filter((c) => c.path.endsWith('/refunds'));
  const shopRefunds = (session: PaymentSession) => h.shop.orders.refunds(Number(session.merchantOrderId));
  const refundNotes = (session: PaymentSession) => h.ourNotes(session.merchantOrderId).filter((n) => /refund/i.test(n));
  const shopRefundRow = (session: PaymentSession, id: string) => h.relay.stores.refunds.get(session.merchantOrderId, id);

  it('asks Adyen with the payment\'s pspReference, the amount and an Idempotency-Key tied to the WooCommerce refund; "received" is pending', async () => {
    const session = paidAdyenOrder();
    const wcRefund = wooCommerceRefund(session, '10.00');
    const answer = await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR', reason: 'damaged' });
    const key = `payrelay-refund-${session.merchantOrderId}-${wcRefund}`;
    expect(answer).toMatchObject({ status: 201, body: { refund_id: wcRefund, provider: 'adyen', status: 'pending', amount: '10.00', currency: 'EUR', provider_refund_id: expect.stringMatching(/^RF\d{14}$/) } });
    expect(refundCalls()).toHaveLength(1);
    expect(refundCalls()[0]).toMatchObject({ method: 'POST', path: `/v71/payments/${session.providerPaymentId}/refunds`, body: { merchantAccount: 'PayrelayShop_ECOM', amount: { value: 1000, currency: 'EUR' }, reference: key } });
    expect(refundCalls()[0]!.headers['idempotency-key']).toBe(key);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 1000 });

    // The same WooCommerce refund asked again: answered from the relay's record, Adyen is not asked twice.
    const again = await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
    expect(again).toMatchObject({ status: 200, body: { provider_refund_id: answer.body.provider_refund_id } });
    expect(refundCalls()).toHaveLength(1);
    expect(adyen.payments.get(session.providerPaymentId!)!.refunds).toHaveLength(1);
  });

  it('REFUND (success) is the same refund: no second refund record, no note, delivered twice or not', async () => {
    const session = paidAdyenOrder();
    const wcRefund = wooCommerceRefund(session, '10.00');
    const answer = await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
    const notification = { psp: answer.body.provider_refund_id, value: 1000, reference: `payrelay-refund-${session.merchantOrderId}-${wcRefund}` };
    await refundNotification(session, 'REFUND', notification);
    await refundNotification(session, 'REFUND', notification);
    expect(shopRefunds(session)).toHaveLength(1);
    expect(refundNotes(session)).toEqual([]);
    expect(h.shop.orders.getOrder(Number(session.merchantOrderId))!.status).toBe('processing');
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 1000 });
    expect(shopRefundRow(session, wcRefund)).toMatchObject({ state: 'succeeded' });
  });

  it('a full refund: the order is refunded once; Adyen\'s REFUND changes nothing', async () => {
    const session = paidAdyenOrder();
    const wcRefund = wooCommerceRefund(session, '19.99');
    const answer = await askRelay(session, { refund_id: wcRefund, amount: '19.99', currency: 'EUR' });
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'refunded', refundedMinor: 1999 });
    await refundNotification(session, 'REFUND', { psp: answer.body.provider_refund_id, value: 1999, reference: `payrelay-refund-${session.merchantOrderId}-${wcRefund}` });
    expect(shopRefunds(session)).toHaveLength(1);
    expect(refundNotes(session)).toEqual([]);
  });

  it('REFUND_FAILED: one note that the refund failed and the money was not returned; the amount is refundable again', async () => {
    const session = paidAdyenOrder();
    const wcRefund = wooCommerceRefund(session, '10.00');
    const answer = await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
    const failed = { psp: answer.body.provider_refund_id, value: 1000, reference: `payrelay-refund-${session.merchantOrderId}-${wcRefund}`, reason: 'Refund Failed' };
    await refundNotification(session, 'REFUND_FAILED', failed);
    await refundNotification(session, 'REFUND_FAILED', failed);

    const notes = refundNotes(session);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`Refund failed at Adyen: the refund of 10.00 EUR asked for in the shop (WooCommerce refund ${wcRefund}, Adyen refund ${answer.body.provider_refund_id}) was not made (Adyen says: Refund Failed). The money was not returned to the customer.`);
    expect(shopRefunds(session)).toHaveLength(1);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 0 });
    expect(shopRefundRow(session, wcRefund)).toMatchObject({ state: 'refused', message: expect.stringContaining('the money was not returned') });
    // Not on hold: a failed refund of the merchant's own is not a fraud review.
    expect(h.shop.orders.getOrder(Number(session.merchantOrderId))!.status).toBe('processing');

    // The merchant refunds again (WooCommerce lets 9.99 more be recorded next to its first record): the relay
    // counts nothing of the failed one, and Adyen is asked with a new key.
    const retry = wooCommerceRefund(session, '9.99');
    expect((await askRelay(session, { refund_id: retry, amount: '9.99', currency: 'EUR' })).status).toBe(201);
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ refundedMinor: 999 });
    expect(refundCalls().map((c) => c.headers['idempotency-key'])).toEqual([`payrelay-refund-${session.merchantOrderId}-${wcRefund}`, `payrelay-refund-${session.merchantOrderId}-${retry}`]);
  });

  it('REFUND with success=false (Adyen refused it after "received"): the same note, once', async () => {
    const session = paidAdyenOrder();
    const wcRefund = wooCommerceRefund(session, '19.99');
    const answer = await askRelay(session, { refund_id: wcRefund, amount: '19.99', currency: 'EUR' });
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'refunded' });
    await refundNotification(session, 'REFUND', { psp: answer.body.provider_refund_id, value: 1999, success: 'false', reason: 'Insufficient balance on payment' });
    const notes = refundNotes(session);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('was not made (Adyen says: Insufficient balance on payment). The money was not returned to the customer.');
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'paid', refundedMinor: 0 });
  });

  it('a refund made in Adyen\'s Customer Area still appears in WooCommerce, once', async () => {
    const session = paidAdyenOrder();
    await refundNotification(session, 'REFUND', { psp: 'CA00000000000001', value: 500 });
    await refundNotification(session, 'REFUND', { psp: 'CA00000000000001', value: 500 });
    expect(shopRefunds(session).map((r) => r.amount)).toEqual(['5.00']);
    expect(refundNotes(session)).toHaveLength(1);
  });

  it('Adyen refusing the request is quoted to the merchant; an Adyen that fails says nothing was refunded or that it may have been', async () => {
    const session = paidAdyenOrder();
    adyen.payments.delete(session.providerPaymentId!);
    const refused = await askRelay(session, { refund_id: wooCommerceRefund(session, '5.00'), amount: '5.00', currency: 'EUR' });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'provider_refused', message: expect.stringContaining('Adyen refused the refund: Original pspReference required for this operation') } } });
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ refundedMinor: 0 });

    adyen.addPayment(session.providerPaymentId!, session.amountMinor);
    adyen.fail({ kind: 'rate_limited' });
    const throttled = await askRelay(session, { refund_id: wooCommerceRefund(session, '5.00'), amount: '5.00', currency: 'EUR' });
    expect(throttled).toMatchObject({ status: 502, body: { error: { code: 'provider_unavailable', message: expect.stringContaining('Nothing was refunded') } } });

    adyen.fail({ kind: 'server_error' });
    const lost = await askRelay(session, { refund_id: wooCommerceRefund(session, '5.00'), amount: '5.00', currency: 'EUR' });
    expect(lost).toMatchObject({ status: 502, body: { error: { code: 'provider_unavailable', message: expect.stringContaining('the refund may have been made') } } });
  });

  it('a refund whose answer was lost: the next click sends it again under the same Idempotency-Key; Adyen refunds once, the shop has one record', async () => {
    const session = paidAdyenOrder();
    adyen.fail({ kind: 'hang' });
    const first = wooCommerceRefund(session, '5.00');
    expect((await askRelay(session, { refund_id: first, amount: '5.00', currency: 'EUR' })).status).toBe(502);
    h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(first));

    const second = wooCommerceRefund(session, '5.00');
    const retry = await askRelay(session, { refund_id: second, amount: '5.00', currency: 'EUR' });
    const made = adyen.payments.get(session.providerPaymentId!)!.refunds;
    expect(made).toHaveLength(1);
    expect(retry).toMatchObject({ status: 201, body: { refund_id: second, status: 'pending', provider_refund_id: made[0].pspReference, message: expect.stringContaining('whose answer from Adyen was lost') } });
    expect(refundCalls().map((c) => c.headers['idempotency-key'])).toEqual([`payrelay-refund-${session.merchantOrderId}-${first}`, `payrelay-refund-${session.merchantOrderId}-${first}`]);

    // Adyen's REFUND for it is the same refund: nothing more written.
    await refundNotification(session, 'REFUND', { psp: made[0].pspReference, value: 500, reference: `payrelay-refund-${session.merchantOrderId}-${first}` });
    expect(shopRefunds(session)).toHaveLength(1);
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(500);
  });

  it('REFUND_FAILED for a refund whose answer was lost settles it as not made: the next click refunds anew instead of taking the failed one for made', async () => {
    const session = paidAdyenOrder();
    adyen.fail({ kind: 'hang' });
    const first = wooCommerceRefund(session, '5.00');
    expect((await askRelay(session, { refund_id: first, amount: '5.00', currency: 'EUR' })).status).toBe(502);
    h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(first));
    await refundNotification(session, 'REFUND_FAILED', { psp: 'RF_LOST_0000001', value: 500, reference: `payrelay-refund-${session.merchantOrderId}-${first}`, reason: 'Insufficient balance on payment' });
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.message)).toContainEqual(expect.stringContaining('was not made'));

    const second = wooCommerceRefund(session, '5.00');
    const retry = await askRelay(session, { refund_id: second, amount: '5.00', currency: 'EUR' });
    expect(retry).toMatchObject({ status: 201, body: { refund_id: second } });
    expect(retry.body.message ?? null).toBeNull();
    expect(refundCalls().map((c) => c.headers['idempotency-key'])).toEqual([`payrelay-refund-${session.merchantOrderId}-${first}`, `payrelay-refund-${session.merchantOrderId}-${second}`]);
    expect(shopRefunds(session)).toHaveLength(1);
  });

  it('REFUND_FAILED arriving while the refund call waits, then the answer lost: the failed refund is taken off the total once, and a refund made in the Customer Area stays counted', async () => {
    // The relay waits 3 s for Adyen here, so the notification is recorded before the answer is lost (when this test says).
    await h.close();
    h = await startRelay(3000);
    const session = paidAdyenOrder();
    await refundNotification(session, 'REFUND', { psp: 'CA00000000000002', value: 500 });
    let loseTheAnswer!: () => void;
    adyen.fail({ kind: 'held', until: new Promise<void>((resolve) => (loseTheAnswer = resolve)) });
    const wcRefund = wooCommerceRefund(session, '10.00');
    const answer = askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
    while (refundCalls().length === 0) await new Promise((resolve) => setImmediate(resolve));
    await refundNotification(session, 'REFUND_FAILED', { psp: 'RF_FAILED_0000001', value: 1000, reference: `payrelay-refund-${session.merchantOrderId}-${wcRefund}`, reason: 'Insufficient balance on payment' });
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(500);
    loseTheAnswer();
    const answered = await answer;
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(500);
    // Adyen's final word is that it was not made: refused, not "may have been made" (nothing to ask Adyen again).
    expect(answered).toMatchObject({ status: 422, body: { error: { code: 'provider_refused', message: expect.stringContaining('Insufficient balance on payment') } } });
    expect(shopRefundRow(session, wcRefund)!.state).toBe('refused');
  });
  describe('a final word and an answer that disagree: the provider\'s word on the money stands, and nothing counts twice', () => {
    it('REFUND_FAILED while the call waits, then Adyen answers "received": the refund stays not made, WooCommerce is told so, one note', async () => {
      await h.close();
      h = await startRelay(3000);
      const session = paidAdyenOrder();
      let answerNow!: () => void;
      adyen.fail({ kind: 'held', until: new Promise<void>((resolve) => (answerNow = resolve)), then: 'answer' });
      const wcRefund = wooCommerceRefund(session, '10.00');
      const answer = askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
      while (refundCalls().length === 0) await new Promise((resolve) => setImmediate(resolve));
      const reference = `payrelay-refund-${session.merchantOrderId}-${wcRefund}`;
      await refundNotification(session, 'REFUND_FAILED', { psp: 'RF_FAILED_0000002', value: 1000, reference, reason: 'Insufficient balance on payment' });
      answerNow();
      // Before: answered 201 and the row made pending again, with the amount no longer counted (refundable twice).
      expect(await answer).toMatchObject({ status: 422, body: { error: { code: 'provider_refused', message: expect.stringContaining('Insufficient balance on payment') } } });
      h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(wcRefund));
      expect(shopRefundRow(session, wcRefund)!.state).toBe('refused');
      await h.drain();
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(0);
      expect(shopRefunds(session)).toHaveLength(0);
      expect(refundNotes(session)).toHaveLength(1);
      expect(refundNotes(session)[0]).toContain('WooCommerce does not keep a record of it');
    });

    it('Adyen refuses the call (429), then its REFUND says the refund was made after all: counted, a refund record for it, one note, once', async () => {
      const session = paidAdyenOrder();
      adyen.fail({ kind: 'rate_limited' });
      const wcRefund = wooCommerceRefund(session, '10.00');
      expect((await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' })).status).toBe(502);
      h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(wcRefund));
      expect(shopRefundRow(session, wcRefund)!.state).toBe('refused');
      const made = { psp: 'RF_LATE_00000001', value: 1000, reference: `payrelay-refund-${session.merchantOrderId}-${wcRefund}` };
      await refundNotification(session, 'REFUND', made);
      await refundNotification(session, 'REFUND', made);
      // Before: taken for "recorded in the shop already": Adyen refunded 10.00, the shop had no record and 0 counted.
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
      expect(shopRefunds(session).map((r) => r.amount)).toEqual(['10.00']);
      expect(refundNotes(session)).toHaveLength(1);
      expect(shopRefundRow(session, wcRefund)!.state).toBe('succeeded');
    });

    it('REFUND_FAILED after "received", then REFUND made: counted again once, and WooCommerce keeps its one record', async () => {
      const session = paidAdyenOrder();
      const wcRefund = wooCommerceRefund(session, '10.00');
      const answer = await askRelay(session, { refund_id: wcRefund, amount: '10.00', currency: 'EUR' });
      const reference = `payrelay-refund-${session.merchantOrderId}-${wcRefund}`;
      await refundNotification(session, 'REFUND_FAILED', { psp: answer.body.provider_refund_id, value: 1000, reference, reason: 'Refund Failed' });
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(0);
      await refundNotification(session, 'REFUND', { psp: answer.body.provider_refund_id, value: 1000, reference });
      expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
      expect(shopRefunds(session).map((r) => r.amount)).toEqual(['10.00']);
      expect(refundNotes(session)).toHaveLength(2);
    });
  });
});
